// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// A rule field name resolved against JSON records.
///
/// `a.b.c` walks nested objects; at each object a member whose name itself contains dots
/// (`"userIdentity.type"`) is tried first, longest first, so both flattened and nested records
/// work. Arrays are transparent: a path through an array continues into every element.
struct SigmaFieldPath: Sendable, Hashable {
    /// The field name as written in the rule (after field mapping).
    let name: String
    let segments: [String]
    /// `keys[start][length - 1]`: the member name made of `length` segments from `start`.
    private let keys: [[String]]

    init(_ name: String) {
        self.name = name
        let segments = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        self.segments = segments
        keys = segments.indices.map { start in
            (1...(segments.count - start)).map { length in
                segments[start..<(start + length)].joined(separator: ".")
            }
        }
    }

    /// Calls `body` with every value the path ends on (arrays at the end are not opened: see
    /// ``SigmaValues``); stops early when `body` returns `true`, and returns whether it did.
    @discardableResult
    func forEachNode(in root: JSONValue, _ body: (JSONValue) -> Bool) -> Bool {
        visit(root, segment: 0, body)
    }

    /// The member names with dots that would make a record's value differ from the nested walk:
    /// for each object on the path (named by the segments leading to it), each name joining two or
    /// more of the following segments.
    var dottedMemberProbes: [(objectPath: [String], member: String)] {
        var probes: [(objectPath: [String], member: String)] = []
        for start in segments.indices {
            for length in 2..<max(2, segments.count - start + 1) {
                probes.append((Array(segments[..<start]), keys[start][length - 1]))
            }
        }
        return probes
    }

    /// Whether the path reaches at least one value (of any type, `null` included).
    func exists(in root: JSONValue) -> Bool {
        forEachNode(in: root) { _ in true }
    }

    @inline(__always)
    private static func position(of name: String, in members: UnsafeBufferPointer<JSONObject.Member>) -> Int? {
        let length = name.utf8.count
        for index in members.indices where members[index].name.utf8.count == length && members[index].name == name {
            return index
        }
        return nil
    }

    private func visit(_ value: JSONValue, segment: Int, _ body: (JSONValue) -> Bool) -> Bool {
        if segment == segments.count {
            return body(value)
        }
        switch value {
        case .object(let object):
            // Through buffer pointers, so neither the names sought nor the member found are copied
            // (a retain and a release each, per lookup, in every candidate rule's evaluation).
            return keys[segment].withUnsafeBufferPointer { candidates in
                object.members.withUnsafeBufferPointer { members in
                    var length = candidates.count
                    while length > 0 {
                        if let position = Self.position(of: candidates[length - 1], in: members) {
                            return visit(members[position].value, segment: segment + length, body)
                        }
                        length -= 1
                    }
                    return false
                }
            }
        case .array(let elements):
            for element in elements where visit(element, segment: segment, body) {
                return true
            }
            return false
        default:
            return false
        }
    }
}

/// The comparable values of an event value: arrays are opened (recursively); a string is itself;
/// a number its JSON text; a boolean `true`/`false`; an object its compact JSON text; `null` none.
enum SigmaValues {
    /// Calls `body` with the text of each comparable value; stops when `body` returns `true`.
    @discardableResult
    static func forEachText(_ value: JSONValue, _ body: (String) -> Bool) -> Bool {
        switch value {
        case .string(let text): return body(text)
        case .number(let number): return body(number.text)
        case .bool(let flag): return body(flag ? "true" : "false")
        case .null: return false
        case .object: return body(JSONWriter().string(value))
        case .array(let elements):
            for element in elements where forEachText(element, body) {
                return true
            }
            return false
        }
    }

    /// Whether the value is `null` or an array holding a `null`.
    static func containsNull(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return true
        case .array(let elements): return elements.contains(where: containsNull)
        default: return false
        }
    }

    /// Calls `body` with the text of every scalar anywhere in `value`, member names excluded.
    ///
    /// Stops when `body` returns `true`. This is what keywords search.
    @discardableResult
    static func forEachScalar(_ value: JSONValue, _ body: (String) -> Bool) -> Bool {
        switch value {
        case .string(let text): return body(text)
        case .number(let number): return body(number.text)
        case .bool(let flag): return body(flag ? "true" : "false")
        case .null: return false
        case .object(let object):
            for member in object.members where forEachScalar(member.value, body) {
                return true
            }
            return false
        case .array(let elements):
            for element in elements where forEachScalar(element, body) {
                return true
            }
            return false
        }
    }
}
