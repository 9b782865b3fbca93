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
        case .number(let number): return Self.integer(number)
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

    /// The string at `keys`, or a located error when the member is missing or not a string.
    ///
    /// An empty string is returned as it is: a value is never a reason to refuse a record, only the
    /// record's shape is.
    func requiredString(
        _ k1: String,
        _ k2: String? = nil,
        _ k3: String? = nil,
        _ k4: String? = nil,
        _ k5: String? = nil
    ) throws(SourceError) -> String {
        let found = member(k1, k2, k3, k4, k5)
        guard case .string(let text) = found else {
            throw Self.missing(base + Self.path(k1, k2, k3, k4, k5), found: found, expected: "a string")
        }
        return text
    }

    /// Whether the member at `keys` is a string, empty or not.
    func hasString(_ k1: String, _ k2: String? = nil) -> Bool {
        if case .string = member(k1, k2) {
            return true
        }
        return false
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
    /// write, `2025-01-15 14:20:35.456`, or epoch milliseconds), or `nil` when neither is present
    /// and readable.
    ///
    /// A time that cannot be read gives no time rather than a refusal: the record is stored without
    /// `time` and `data` keeps the value.
    func optionalTime(_ first: String, or second: String? = nil) -> Timestamp? {
        if let time = member(first).flatMap(Self.time) {
            return time
        }
        return second.flatMap { member($0) }.flatMap(Self.time)
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
            guard let milliseconds = integer(number), millisecondRange.contains(milliseconds) else {
                return nil
            }
            return Timestamp(epochMilliseconds: milliseconds)
        default:
            return nil
        }
    }

    /// Epoch milliseconds of the years RFC 3339 can write (0000–9999).
    private static let millisecondRange: ClosedRange<Int64> =
        (AttributeFitting.timeRange.lowerBound * 1000)...(AttributeFitting.timeRange.upperBound * 1000 + 999)

    /// A JSON number as an integer: its digits, or a fraction or exponent form cut towards zero;
    /// `nil` when it lies outside `Int64` (never a trap, whatever the record says).
    static func integer(_ number: JSONNumber) -> Int64? {
        if let value = Int64(number.text) {
            return value
        }
        guard let double = Double(number.text), double.isFinite,
            double >= -9_223_372_036_854_775_808.0, double < 9_223_372_036_854_775_808.0
        else {
            return nil
        }
        return Int64(double)
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

extension String {
    /// `-` for an empty string (a part of a `type` or `source` the record left empty), else the
    /// string.
    var orPlaceholder: String {
        isEmpty ? "-" : self
    }
}
