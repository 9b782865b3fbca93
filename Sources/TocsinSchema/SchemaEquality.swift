// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// JSON Schema's equality for `const`, `enum` and `uniqueItems`: numbers by value (`1` equals `1.0`), objects
/// regardless of member order, arrays element by element.
enum SchemaEquality {
    /// Whether `lhs` and `rhs` are the same JSON value.
    static func equal(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null):
            return true
        case (.bool(let left), .bool(let right)):
            return left == right
        case (.string(let left), .string(let right)):
            // By code points: Swift's `==` treats canonically equivalent strings (é and e + ◌́) as equal.
            return left.unicodeScalars.elementsEqual(right.unicodeScalars)
        case (.number(let left), .number(let right)):
            return left.text == right.text || SchemaDecimal(left) == SchemaDecimal(right)
        case (.array(let left), .array(let right)):
            return left.count == right.count && zip(left, right).allSatisfy { equal($0, $1) }
        case (.object(let left), .object(let right)):
            guard left.count == right.count else {
                return false
            }
            return left.members.allSatisfy { member in
                guard let other = right[member.name] else {
                    return false
                }
                return equal(member.value, other)
            }
        default:
            return false
        }
    }
}
