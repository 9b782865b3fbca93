// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// What a rule sends to a target instead of the whole event (EventBridge input transformation).
public enum InputTransform: Sendable, Hashable {
    /// The value at a path (`input_path`), as JSON.
    case path(JSONPath)
    /// Named paths substituted into a template (`input_transformer`): `<name>` is replaced by the
    /// value's JSON text, or by the bare string content when it sits inside quotes in the template;
    /// a missing value is `null` (an empty string inside quotes).
    case template(paths: [String: JSONPath], template: String)

    /// The members that describe this transform in a rule target (`input_path` or `input_transformer`).
    public var jsonMember: JSONObject.Member {
        switch self {
        case .path(let path):
            return .init(name: "input_path", value: .string(path.description))
        case .template(let paths, let template):
            let map = paths.sorted { $0.key < $1.key }.map {
                JSONObject.Member(name: $0.key, value: .string($0.value.description))
            }
            return .init(
                name: "input_transformer",
                value: .object(
                    JSONObject([
                        .init(name: "input_paths_map", value: .object(JSONObject(map))),
                        .init(name: "input_template", value: .string(template)),
                    ])
                )
            )
        }
    }

    /// Reads back what ``jsonMember`` wrote; `nil` for anything else.
    public init?(member: JSONObject.Member) {
        switch (member.name, member.value) {
        case ("input_path", .string(let text)):
            guard let path = JSONPath(text) else {
                return nil
            }
            self = .path(path)
        case ("input_transformer", .object(let object)):
            guard case .string(let template)? = object["input_template"] else {
                return nil
            }
            var paths: [String: JSONPath] = [:]
            if case .object(let map)? = object["input_paths_map"] {
                for entry in map.members {
                    guard let text = entry.value.stringValue, let path = JSONPath(text) else {
                        return nil
                    }
                    paths[entry.name] = path
                }
            }
            self = .template(paths: paths, template: template)
        default:
            return nil
        }
    }

    /// The bytes to send for `event`.
    public func apply(to event: JSONValue) -> [UInt8] {
        switch self {
        case .path(let path):
            return JSONWriter().bytes(path.evaluate(event) ?? .null)
        case .template(let paths, let template):
            return Array(InputTransform.render(template, paths: paths, event: event).utf8)
        }
    }

    private static func render(_ template: String, paths: [String: JSONPath], event: JSONValue) -> String {
        var output = ""
        var insideQuotes = false
        var escaped = false
        var index = template.startIndex
        while index < template.endIndex {
            let character = template[index]
            if character == "<", let close = template[index...].firstIndex(of: ">") {
                let name = String(template[template.index(after: index)..<close])
                if let path = paths[name] {
                    output += substitution(path.evaluate(event), insideQuotes: insideQuotes)
                    index = template.index(after: close)
                    continue
                }
            }
            if character == "\"" && !escaped {
                insideQuotes.toggle()
            }
            escaped = character == "\\" && !escaped
            output.append(character)
            index = template.index(after: index)
        }
        return output
    }

    private static func substitution(_ value: JSONValue?, insideQuotes: Bool) -> String {
        guard insideQuotes else {
            return JSONWriter().string(value ?? .null)
        }
        let text: String
        switch value {
        case .string(let string)?: text = string
        case nil, .null?: text = ""
        case let other?: text = JSONWriter().string(other)
        }
        let quoted = JSONWriter().string(.string(text))
        return String(quoted.dropFirst().dropLast())
    }
}
