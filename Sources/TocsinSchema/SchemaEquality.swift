// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// JSON Schema's equality for `const`, `enum` and `uniqueItems`: numbers by value (`1` equals `1.0`), objects
/// regardless of member order, arrays element by element.
enum SchemaEquality {
    /// Appends bytes that are equal for two values exactly when ``equal(_:_:)`` holds: numbers in their exact
    /// decimal form, strings as their UTF-8, object members sorted by name.
    static func appendCanonicalKey(_ value: JSONValue, to key: inout [UInt8]) {
        switch value {
        case .null:
            key.append(UInt8(ascii: "n"))
        case .bool(let flag):
            key.append(flag ? UInt8(ascii: "t") : UInt8(ascii: "f"))
        case .number(let number):
            key.append(UInt8(ascii: "#"))
            if let decimal = SchemaDecimal(number) {
                key.append(decimal.negative ? UInt8(ascii: "-") : UInt8(ascii: "+"))
                key.append(contentsOf: decimal.digits)
                key.append(contentsOf: "e\(decimal.exponent)".utf8)
            } else {
                key.append(contentsOf: number.text.utf8)
            }
        case .string(let text):
            JSONWriter().writeString(text, to: &key)
        case .array(let elements):
            key.append(UInt8(ascii: "["))
            for element in elements {
                appendCanonicalKey(element, to: &key)
                key.append(UInt8(ascii: ","))
            }
            key.append(UInt8(ascii: "]"))
        case .object(let object):
            key.append(UInt8(ascii: "{"))
            for member in object.members.sorted(by: { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }) {
                JSONWriter().writeString(member.name, to: &key)
                key.append(UInt8(ascii: ":"))
                appendCanonicalKey(member.value, to: &key)
                key.append(UInt8(ascii: ","))
            }
            key.append(UInt8(ascii: "}"))
        }
    }

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
