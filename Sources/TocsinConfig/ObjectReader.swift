// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// Reads the members of one JSON object, collecting diagnostics instead of stopping at the first,
/// and reports unknown keys (misspelt options must not be silently ignored).
///
/// Target kinds read their own keys through it, so every kind reports problems the same way: one
/// ``ConfigDiagnostic`` per problem, located by JSON path.
public struct ObjectReader: Sendable {
    /// The object being read.
    public let object: JSONObject
    /// The object's JSON path (`$`, `$.retry`).
    public let path: String
    /// The keys read so far.
    public private(set) var used: Set<String> = []
    /// The problems found so far.
    public var diagnostics: [ConfigDiagnostic] = []

    /// Starts reading `value`, or adds a diagnostic and returns `nil` when it is not an object.
    public init?(_ value: JSONValue, path: String, diagnostics: inout [ConfigDiagnostic]) {
        guard case .object(let object) = value else {
            diagnostics.append(ConfigDiagnostic(path: path, message: "expected an object, found \(value.typeName)"))
            return nil
        }
        self.object = object
        self.path = path
    }

    /// The JSON path of `key` in this object.
    public func childPath(_ key: String) -> String {
        "\(path).\(key)"
    }

    /// The value of `key`, marking it as known.
    public mutating func value(_ key: String) -> JSONValue? {
        used.insert(key)
        return object[key]
    }

    /// The string at `key`, or `nil` (with a diagnostic when it is required or not a string).
    public mutating func string(_ key: String, required: Bool = false) -> String? {
        guard let value = value(key) else {
            if required {
                diagnostics.append(ConfigDiagnostic(path: childPath(key), message: "is required (a string)"))
            }
            return nil
        }
        guard case .string(let text) = value else {
            diagnostics.append(
                ConfigDiagnostic(path: childPath(key), message: "must be a string, not \(value.typeName)")
            )
            return nil
        }
        return text
    }

    /// The boolean at `key`, or `fallback` (with a diagnostic when it is not a boolean).
    public mutating func bool(_ key: String, default fallback: Bool) -> Bool {
        guard let value = value(key) else {
            return fallback
        }
        guard case .bool(let flag) = value else {
            diagnostics.append(
                ConfigDiagnostic(path: childPath(key), message: "must be true or false, not \(value.typeName)")
            )
            return fallback
        }
        return flag
    }

    /// The integer at `key`, or `fallback` (with a diagnostic when it is not an integer in `range`).
    public mutating func integer(_ key: String, default fallback: Int64, range: ClosedRange<Int64>) -> Int64 {
        guard let value = value(key) else {
            return fallback
        }
        guard case .number(let number) = value, let integer = number.int64Value, range.contains(integer) else {
            diagnostics.append(
                ConfigDiagnostic(
                    path: childPath(key),
                    message: "must be an integer from \(range.lowerBound) to \(range.upperBound)"
                )
            )
            return fallback
        }
        return integer
    }

    /// The JSON path at `key`, or `nil` (with a diagnostic when it is required or malformed).
    public mutating func jsonPath(_ key: String, required: Bool = false) -> JSONPath? {
        guard let text = string(key, required: required) else {
            return nil
        }
        guard let path = JSONPath(text) else {
            diagnostics.append(
                ConfigDiagnostic(
                    path: childPath(key),
                    message: "must be a JSON path such as \"$.data.ip\" or \"$.data.items[0]\""
                )
            )
            return nil
        }
        return path
    }

    /// Adds a diagnostic located at `key` in this object.
    public mutating func report(_ key: String, _ message: String) {
        diagnostics.append(ConfigDiagnostic(path: childPath(key), message: message))
    }

    /// The array of strings at `key` (empty when absent), with a diagnostic when it is anything else.
    public mutating func strings(_ key: String) -> [String] {
        guard let value = value(key) else {
            return []
        }
        guard case .array(let elements) = value, elements.allSatisfy({ $0.stringValue != nil }) else {
            report(key, "must be an array of strings")
            return []
        }
        return elements.compactMap(\.stringValue)
    }

    /// Adds a diagnostic for every member that was never read.
    public mutating func rejectUnknown(known extra: [String] = []) {
        let known = used.union(extra)
        for member in object.members where !known.contains(member.name) {
            diagnostics.append(
                ConfigDiagnostic(
                    path: childPath(member.name),
                    message: "unknown key; known keys here are \(known.sorted().joined(separator: ", "))"
                )
            )
        }
    }
}

extension ObjectReader {
    /// The most paths a `group_by` or `key` list may hold.
    static let maximumGroupPaths = 8

    /// A list of at most ``maximumGroupPaths`` JSON paths (empty when absent).
    mutating func jsonPaths(_ key: String) -> [JSONPath] {
        var paths: [JSONPath] = []
        switch value(key) {
        case nil:
            break
        case .array(let elements)? where elements.count <= Self.maximumGroupPaths:
            for (index, element) in elements.enumerated() {
                if let text = element.stringValue, let jsonPath = JSONPath(text) {
                    paths.append(jsonPath)
                } else {
                    diagnostics.append(
                        ConfigDiagnostic(
                            path: childPath("\(key)[\(index)]"),
                            message: "must be a JSON path such as \"$.ocsf.src_endpoint.ip\""
                        )
                    )
                }
            }
        default:
            diagnostics.append(
                ConfigDiagnostic(
                    path: childPath(key),
                    message: "must be a list of at most \(Self.maximumGroupPaths) JSON paths"
                )
            )
        }
        return paths
    }

    /// Adds an "is required" diagnostic for each key of `keys` that is absent, with an example value.
    mutating func require(_ keys: [(key: String, example: String)]) {
        for (key, example) in keys where object[key] == nil {
            diagnostics.append(
                ConfigDiagnostic(path: childPath(key), message: "is required (for example \(example))")
            )
        }
    }
}

extension ObjectReader {
    /// Reads a policy file's root: an object whose only key, `key`, holds a list of rules, each read by `rule`.
    ///
    /// - Parameters:
    ///   - value: The file as JSON.
    ///   - key: The root key (`compliance`, `personal_data`).
    ///   - shape: What the list holds, for the diagnostic when it is missing or not a list.
    ///   - diagnostics: Where problems go.
    ///   - rule: Reads one rule at its JSON path, or reports why it cannot and returns `nil`.
    /// - Returns: The rules that were read.
    public static func ruleList<Rule>(
        _ value: JSONValue,
        key: String,
        shape: String,
        diagnostics: inout [ConfigDiagnostic],
        rule: (JSONValue, String, inout [ConfigDiagnostic]) -> Rule?
    ) -> [Rule] {
        guard var root = ObjectReader(value, path: "$", diagnostics: &diagnostics) else {
            return []
        }
        var rules: [Rule] = []
        switch root.value(key) {
        case .array(let elements)?:
            for (index, element) in elements.enumerated() {
                if let read = rule(element, root.childPath("\(key)[\(index)]"), &diagnostics) {
                    rules.append(read)
                }
            }
        case nil:
            root.report(key, "is required: \(shape)")
        case .some:
            root.report(key, "must be \(shape)")
        }
        root.rejectUnknown()
        diagnostics += root.diagnostics
        return rules
    }
}
