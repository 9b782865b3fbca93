// SPDX-License-Identifier: Apache-2.0

/// A JSON path of the simple form EventBridge input paths use: `$`, `$.a.b`, `$.a[0]`, `$['a.b']`.
///
/// No wildcards, filters or recursive descent: a path names at most one value.
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    /// One step: a member name or an array index.
    public enum Step: Sendable, Hashable {
        case member(String)
        case index(Int)
    }

    /// The steps after `$`.
    public let steps: [Step]
    /// The path as written.
    public let description: String

    /// Parses `text`; `nil` when it is not of the supported form.
    public init?(_ text: String) {
        var steps: [Step] = []
        var rest = Substring(text)
        guard rest.first == "$" else {
            return nil
        }
        rest = rest.dropFirst()
        while let first = rest.first {
            if first == "." {
                rest = rest.dropFirst()
                let name = rest.prefix { $0 != "." && $0 != "[" }
                guard !name.isEmpty else {
                    return nil
                }
                steps.append(.member(String(name)))
                rest = rest.dropFirst(name.count)
            } else if first == "[" {
                guard let close = rest.firstIndex(of: "]") else {
                    return nil
                }
                let inside = rest[rest.index(after: rest.startIndex)..<close]
                if let index = Int(inside), index >= 0 {
                    steps.append(.index(index))
                } else if inside.count >= 2, let quote = inside.first, quote == "'" || quote == "\"",
                    inside.last == quote
                {
                    steps.append(.member(String(inside.dropFirst().dropLast())))
                } else {
                    return nil
                }
                rest = rest[rest.index(after: close)...]
            } else {
                return nil
            }
        }
        self.steps = steps
        self.description = text
    }

    /// The value at this path in `value`, or `nil` when a step does not exist.
    public func evaluate(_ value: JSONValue) -> JSONValue? {
        var current = value
        for step in steps {
            switch (step, current) {
            case (.member(let name), .object(let object)):
                guard let next = object[name] else {
                    return nil
                }
                current = next
            case (.index(let index), .array(let elements)):
                guard index < elements.count else {
                    return nil
                }
                current = elements[index]
            default:
                return nil
            }
        }
        return current
    }
}
