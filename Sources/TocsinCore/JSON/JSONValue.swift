// SPDX-License-Identifier: Apache-2.0

/// A JSON document tree that keeps every number's original text.
///
/// Objects keep their members in source order; duplicate member names are rejected by ``JSONParser``
/// so a lookup by name is never ambiguous (two parsers disagreeing on which duplicate wins is a
/// classic way to smuggle a value past a security check).
public enum JSONValue: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number, kept as its source text (`300`, `3.0e2` and `9007199254740993` stay distinct).
    case number(JSONNumber)
    /// A string, already unescaped.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object with members in source order.
    case object(JSONObject)

    /// The member named `key` when this is an object, else `nil`.
    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self {
            return object[key]
        }
        return nil
    }

    /// The string payload when this is a string, else `nil`.
    public var stringValue: String? {
        if case .string(let value) = self {
            return value
        }
        return nil
    }

    /// A short name of the JSON type, for diagnostics (`"object"`, `"number"`, …).
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// A JSON number kept as the exact text it was written with.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The number exactly as it appeared in the source, for example `-0.5e10`.
    public let text: String

    /// Wraps already-validated JSON number text.
    ///
    /// - Parameter text: Text that matches the JSON number grammar. ``JSONParser`` guarantees this;
    ///   other callers must too, since the text is written back out verbatim.
    public init(text: String) {
        self.text = text
    }

    /// Creates the number for an integer.
    public init(_ value: Int64) {
        self.text = String(value)
    }

    /// The value as a `Double` (may round, as every IEEE 754 reader does).
    public var doubleValue: Double? {
        Double(text)
    }

    /// The value as an `Int64` when the text is an integer literal in range, else `nil`.
    public var int64Value: Int64? {
        Int64(text)
    }

    /// The number's source text.
    public var description: String {
        text
    }
}

/// The members of a JSON object, in source order, with unique names.
public struct JSONObject: Sendable, Hashable {
    /// One `"name": value` member.
    public struct Member: Sendable, Hashable {
        /// The member name.
        public var name: String
        /// The member value.
        public var value: JSONValue

        /// Creates a member.
        public init(name: String, value: JSONValue) {
            self.name = name
            self.value = value
        }
    }

    /// The members in source order.
    public var members: [Member]

    /// Creates an object from members whose names must be unique.
    public init(_ members: [Member] = []) {
        self.members = members
    }

    /// The value of the member named `name`, or `nil`.
    ///
    /// Setting `nil` removes the member.
    public subscript(name: String) -> JSONValue? {
        get {
            // Most members differ in length from the name sought; comparing UTF-8 lengths first
            // (O(1)) skips String's full comparison for them. Reading through the buffer (rather
            // than `for in`) looks at each member in place instead of copying it.
            let length = name.utf8.count
            return members.withUnsafeBufferPointer { buffer in
                var index = 0
                while index < buffer.count {
                    if buffer[index].name.utf8.count == length && buffer[index].name == name {
                        return buffer[index].value
                    }
                    index += 1
                }
                return nil
            }
        }
        set {
            if let index = members.firstIndex(where: { $0.name == name }) {
                if let newValue {
                    members[index].value = newValue
                } else {
                    members.remove(at: index)
                }
            } else if let newValue {
                members.append(Member(name: name, value: newValue))
            }
        }
    }

    /// The number of members.
    public var count: Int {
        members.count
    }
}
