// SPDX-License-Identifier: Apache-2.0

public import TocsinCore
import Yams

/// A YAML document read into ``JSONValue`` with the line and column of every element, so that
/// diagnostics on the JSON value can point into the file.
///
/// Aliases and anchors are refused (they make documents that expand exponentially), as are
/// duplicate keys and non-string keys.
public struct YAMLDocument: Sendable {
    /// The document as JSON.
    public let value: JSONValue
    /// JSON path → (line, column), 1-based.
    public let positions: [String: (line: Int, column: Int)]

    /// Parses `text`.
    ///
    /// - Throws: ``ConfigError`` with the position of the problem.
    public init(text: String, file: String) throws(ConfigError) {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigError([YAMLDocument.diagnostic(error, file: file)])
        } catch {
            throw ConfigError([ConfigDiagnostic(file: file, path: "$", message: "not valid YAML")])
        }
        var positions: [String: (line: Int, column: Int)] = [:]
        var diagnostics: [ConfigDiagnostic] = []
        if let node {
            value = YAMLDocument.convert(node, path: "$", file: file, positions: &positions, diagnostics: &diagnostics)
        } else {
            value = .object(JSONObject())
        }
        self.positions = positions
        if !diagnostics.isEmpty {
            throw ConfigError(diagnostics)
        }
    }

    /// `diagnostic` with the file position of its path (or of the nearest enclosing element).
    public func locate(_ diagnostic: ConfigDiagnostic, file: String, under prefix: String) -> ConfigDiagnostic {
        var located = diagnostic
        located.file = file
        var path = prefix + diagnostic.path.dropFirst()
        while !path.isEmpty {
            if let position = positions[path] {
                located.line = position.line
                located.column = position.column
                break
            }
            guard let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) else {
                break
            }
            path = String(path[..<cut])
        }
        located.path = prefix + diagnostic.path.dropFirst()
        return located
    }

    private static func convert(
        _ node: Node,
        path: String,
        file: String,
        positions: inout [String: (line: Int, column: Int)],
        diagnostics: inout [ConfigDiagnostic]
    ) -> JSONValue {
        if positions[path] == nil, let mark = node.mark {
            positions[path] = (mark.line, mark.column)
        }
        func fail(_ message: String) -> JSONValue {
            diagnostics.append(
                ConfigDiagnostic(
                    file: file,
                    line: node.mark?.line,
                    column: node.mark?.column,
                    path: path,
                    message: message
                )
            )
            return .null
        }
        switch node {
        case .alias:
            return fail("YAML aliases are not supported; repeat the value instead")
        case .mapping(let mapping):
            var members: [JSONObject.Member] = []
            var seen: Set<String> = []
            for (key, value) in mapping {
                guard case .scalar(let scalar) = key else {
                    return fail("mapping keys must be strings")
                }
                guard seen.insert(scalar.string).inserted else {
                    return fail("duplicate key '\(scalar.string)'")
                }
                if let mark = key.mark {
                    positions["\(path).\(scalar.string)"] = (mark.line, mark.column)
                }
                let child = convert(
                    value,
                    path: "\(path).\(scalar.string)",
                    file: file,
                    positions: &positions,
                    diagnostics: &diagnostics
                )
                members.append(.init(name: scalar.string, value: child))
            }
            return .object(JSONObject(members))
        case .sequence(let sequence):
            return .array(
                sequence.enumerated().map { index, element in
                    convert(
                        element,
                        path: "\(path)[\(index)]",
                        file: file,
                        positions: &positions,
                        diagnostics: &diagnostics
                    )
                }
            )
        case .scalar(let scalar):
            guard scalar.style == .plain else {
                return .string(scalar.string)
            }
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .null:
                return .null
            case .bool:
                return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case .int, .float:
                if let number = try? JSONParser().parse(scalar.string), case .number = number {
                    return number
                }
                if let integer = node.int {
                    return .number(JSONNumber(Int64(integer)))
                }
                return fail("numbers must be finite decimal numbers")
            default:
                return .string(scalar.string)
            }
        }
    }

    private static func diagnostic(_ error: YamlError, file: String) -> ConfigDiagnostic {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
            return ConfigDiagnostic(
                file: file,
                line: mark.line,
                column: mark.column,
                path: "$",
                message: "YAML: \(problem)"
            )
        default:
            return ConfigDiagnostic(file: file, path: "$", message: "not valid YAML")
        }
    }
}

extension YAMLDocument {
    /// Parses `text` and reads its value with `read`, placing every problem `read` reports at its line and column.
    ///
    /// - Throws: ``ConfigError`` with every problem found (YAML syntax, or what `read` reported).
    public static func read<T>(
        text: String,
        file: String,
        with read: (JSONValue, inout [ConfigDiagnostic]) -> T
    ) throws(ConfigError) -> T {
        let document = try YAMLDocument(text: text, file: file)
        var diagnostics: [ConfigDiagnostic] = []
        let value = read(document.value, &diagnostics)
        guard diagnostics.isEmpty else {
            throw ConfigError(diagnostics.map { document.locate($0, file: file, under: "$") })
        }
        return value
    }
}
