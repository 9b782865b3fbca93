// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// Read access to a JSON record's members by key path, with located errors for what is required.
///
/// Optional members of an unexpected type read as absent; required ones are refused with their
/// path and the type that was found (never the value).
struct RecordFields {
    let value: JSONValue
    /// Where `value` sits in the record, for error paths.
    let base: [String]

    init(_ value: JSONValue, base: [String] = []) {
        self.value = value
        self.base = base
    }

    /// The member at the path `k1.k2…`, if present and not `null`.
    ///
    /// Fixed arity rather than a variadic list: lookups are on the ingest hot path, and a variadic
    /// call allocates an array each time.
    func member(
        _ k1: String,
        _ k2: String? = nil,
        _ k3: String? = nil,
        _ k4: String? = nil,
        _ k5: String? = nil
    ) -> JSONValue? {
        Self.step(Self.step(Self.step(Self.step(Self.step(value, k1), k2), k3), k4), k5)
    }

    @inline(__always)
    private static func step(_ current: JSONValue?, _ key: String?) -> JSONValue? {
        guard let current, let key else {
            return current
        }
        switch current[key] {
        case .none, .null?: return nil
        case let next: return next
        }
    }

    private static func path(_ keys: String?...) -> [String] {
        keys.compactMap { $0 }
    }

    /// The member at `keys`, if present and not `null`.
    func member(_ keys: [String]) -> JSONValue? {
        keys.reduce(Optional(value), Self.step)
    }

    /// The string at `keys`; a number is read as its text.
    func string(
        _ k1: String,
        _ k2: String? = nil,
        _ k3: String? = nil,
        _ k4: String? = nil,
        _ k5: String? = nil
    ) -> String? {
        switch member(k1, k2, k3, k4, k5) {
        case .string(let text): return text.isEmpty ? nil : text
        case .number(let number): return number.text
        default: return nil
        }
    }

    /// The boolean at `keys`; the strings `"true"`/`"false"` (any case) count too.
    func bool(_ k1: String, _ k2: String? = nil, _ k3: String? = nil, _ k4: String? = nil, _ k5: String? = nil) -> Bool?
    {
        switch member(k1, k2, k3, k4, k5) {
        case .bool(let flag): return flag
        case .string(let text):
            switch text.lowercased() {
            case "true", "yes": return true
            case "false", "no": return false
            default: return nil
            }
        default: return nil
        }
    }

    /// The integer at `keys` (a JSON integer or a string of digits).
    func integer(
        _ k1: String,
        _ k2: String? = nil,
        _ k3: String? = nil,
        _ k4: String? = nil,
        _ k5: String? = nil
    ) -> Int64? {
        switch member(k1, k2, k3, k4, k5) {
        case .number(let number): return Int64(number.text) ?? Double(number.text).map { Int64($0) }
        case .string(let text): return Int64(text)
        default: return nil
        }
    }

    /// The array at `keys`, or an empty array.
    func array(
        _ k1: String,
        _ k2: String? = nil,
        _ k3: String? = nil,
        _ k4: String? = nil,
        _ k5: String? = nil
    ) -> [JSONValue] {
        if case .array(let elements) = member(k1, k2, k3, k4, k5) {
            return elements
        }
        return []
    }

    /// The non-empty string at `keys`, or a located error.
    func requiredString(
        _ k1: String,
        _ k2: String? = nil,
        _ k3: String? = nil,
        _ k4: String? = nil,
        _ k5: String? = nil
    ) throws(SourceError) -> String {
        let found = member(k1, k2, k3, k4, k5)
        guard case .string(let text) = found, !text.isEmpty else {
            throw Self.missing(base + Self.path(k1, k2, k3, k4, k5), found: found, expected: "a non-empty string")
        }
        return text
    }

    /// The object at `keys`, or a located error.
    func requiredObject(
        _ k1: String,
        _ k2: String? = nil,
        _ k3: String? = nil,
        _ k4: String? = nil,
        _ k5: String? = nil
    ) throws(SourceError) -> RecordFields {
        let found = member(k1, k2, k3, k4, k5)
        guard case .object = found, let found else {
            throw Self.missing(base + Self.path(k1, k2, k3, k4, k5), found: found, expected: "an object")
        }
        return RecordFields(found, base: base + Self.path(k1, k2, k3, k4, k5))
    }

    /// The time at member `first`, else at `second` (RFC 3339, the zone-less UTC form exporters
    /// write, `2025-01-15 14:20:35.456`, or epoch milliseconds), or `nil` when neither is present;
    /// a present time that cannot be read is a located error.
    func optionalTime(_ first: String, or second: String? = nil) throws(SourceError) -> Timestamp? {
        if let time = try presentTime(first) {
            return time
        }
        return try second.flatMap { (key) throws(SourceError) in try presentTime(key) }
    }

    private func presentTime(_ key: String) throws(SourceError) -> Timestamp? {
        guard let found = member(key) else {
            return nil
        }
        guard let time = Self.time(found) else {
            throw Self.missing(base + [key], found: found, expected: "an RFC 3339 time or epoch milliseconds")
        }
        return time
    }

    /// The member `key` (`null` when absent), to read several optional members under it.
    ///
    /// One lookup of `key` serves them all. Not for required members: errors would not name `key`.
    func optionalMembers(_ key: String) -> RecordFields {
        RecordFields(member(key) ?? .null)
    }

    /// The time at `keys`, if present and readable.
    func time(
        _ k1: String,
        _ k2: String? = nil,
        _ k3: String? = nil,
        _ k4: String? = nil,
        _ k5: String? = nil
    ) -> Timestamp? {
        member(k1, k2, k3, k4, k5).flatMap(Self.time)
    }

    static func time(_ value: JSONValue) -> Timestamp? {
        switch value {
        case .string(let text):
            if let time = Timestamp(rfc3339: text) {
                return time
            }
            let utf8 = Array(text.utf8)
            guard utf8.count >= 19, utf8[10] == UInt8(ascii: " ") else {
                return nil
            }
            let joined = String(text.prefix(10)) + "T" + String(text.dropFirst(11))
            return Timestamp(rfc3339: joined) ?? Timestamp(rfc3339: joined + "Z")
        case .number(let number):
            // `Int64(exactly:)`: a number past `Int64` (`1e300`) is no time, where `Int64(_:)` traps.
            let milliseconds =
                Int64(number.text) ?? Double(number.text).flatMap { Int64(exactly: $0.rounded(.towardZero)) }
            return milliseconds.flatMap { Timestamp(epochValue: $0, millisecondsPerUnit: 1) }
        default:
            return nil
        }
    }

    /// Requires the record to be a JSON object.
    static func object(_ value: JSONValue) throws(SourceError) -> RecordFields {
        guard case .object = value else {
            throw SourceError(path: "$", message: "expected a JSON object, found \(value.typeName)")
        }
        return RecordFields(value)
    }

    static func missing(_ keys: [String], found: JSONValue?, expected: String) -> SourceError {
        let path = "$." + keys.joined(separator: ".")
        guard let found else {
            return SourceError(path: path, message: "required member is missing; expected \(expected)")
        }
        let what = found.typeName == "string" ? "a string that is not one" : found.typeName
        return SourceError(path: path, message: "expected \(expected), found \(what)")
    }
}
