// SPDX-License-Identifier: Apache-2.0

import TocsinCore

extension JSONValue {
    /// The value as display text: strings as they are, numbers as written, `null` as empty.
    var displayText: String {
        switch self {
        case .null: ""
        case .string(let text): text
        case .number(let number): number.text
        case .bool(let flag): flag ? "true" : "false"
        case .array, .object: JSONWriter().string(self)
        }
    }

    /// The integer value of a number, or `nil`.
    var integer: Int64? {
        if case .number(let number) = self {
            return number.int64Value
        }
        return nil
    }

    /// The members of an object in order, or none.
    var members: [JSONObject.Member] {
        if case .object(let object) = self {
            return object.members
        }
        return []
    }

    /// The items of an array, or none.
    var items: [JSONValue] {
        if case .array(let items) = self {
            return items
        }
        return []
    }

    /// The document indented by two spaces a level, for reading.
    var prettyText: String {
        var out = ""
        Self.write(self, indent: 0, to: &out)
        return out
    }

    private static func write(_ value: JSONValue, indent: Int, to out: inout String) {
        let inner = String(repeating: "  ", count: indent + 1)
        let outer = String(repeating: "  ", count: indent)
        switch value {
        case .array(let items) where !items.isEmpty:
            out += "[\n"
            for (index, item) in items.enumerated() {
                out += inner
                write(item, indent: indent + 1, to: &out)
                out += index == items.count - 1 ? "\n" : ",\n"
            }
            out += outer + "]"
        case .object(let object) where !object.members.isEmpty:
            out += "{\n"
            for (index, member) in object.members.enumerated() {
                out += inner + JSONWriter().string(.string(member.name)) + ": "
                write(member.value, indent: indent + 1, to: &out)
                out += index == object.members.count - 1 ? "\n" : ",\n"
            }
            out += outer + "}"
        default:
            out += JSONWriter().string(value)
        }
    }
}
