// SPDX-License-Identifier: Apache-2.0

/// An RFC 3339 timestamp that keeps the text it was written with and the instant it denotes.
///
/// Accepts `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` with `T`/`Z` in either case. Rejects what
/// the CloudEvents conformance suite rejects: missing seconds, `X` zones, hour-only offsets,
/// offsets out of range, impossible dates.
public struct Timestamp: Sendable, Hashable, CustomStringConvertible {
    /// The text exactly as received.
    public let text: String
    /// Whole seconds since 1970-01-01T00:00:00Z.
    public let epochSeconds: Int64
    /// Nanoseconds within the second (digits past the ninth are truncated).
    public let nanoseconds: Int32

    /// Parses RFC 3339 text, or returns `nil` when it is not a valid timestamp.
    public init?(rfc3339 text: String) {
        let bytes = Array(text.utf8)
        guard let parsed = Self.parse(bytes) else {
            return nil
        }
        self.text = text
        self.epochSeconds = parsed.seconds
        self.nanoseconds = parsed.nanos
    }

    /// Creates a UTC timestamp for an instant given in milliseconds since the epoch.
    public init(epochMilliseconds: Int64) {
        let seconds = epochMilliseconds >= 0 ? epochMilliseconds / 1000 : (epochMilliseconds - 999) / 1000
        let millis = epochMilliseconds - seconds * 1000
        self.epochSeconds = seconds
        self.nanoseconds = Int32(millis * 1_000_000)
        self.text = Self.format(seconds: seconds, millis: Int(millis))
    }

    /// Milliseconds since the epoch (the precision Tocsin indexes and compares).
    public var epochMilliseconds: Int64 {
        epochSeconds * 1000 + Int64(nanoseconds / 1_000_000)
    }

    /// The original text.
    public var description: String {
        text
    }

    // MARK: - Parsing

    private static func parse(_ b: [UInt8]) -> (seconds: Int64, nanos: Int32)? {
        guard b.count >= 20,
            let year = digits(b, 0, 4), b[4] == UInt8(ascii: "-"),
            let month = digits(b, 5, 2), b[7] == UInt8(ascii: "-"),
            let day = digits(b, 8, 2), b[10] | 0x20 == UInt8(ascii: "t"),
            let hour = digits(b, 11, 2), b[13] == UInt8(ascii: ":"),
            let minute = digits(b, 14, 2), b[16] == UInt8(ascii: ":"),
            let second = digits(b, 17, 2)
        else {
            return nil
        }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
            hour <= 23, minute <= 59, second <= 60
        else {
            return nil
        }
        var index = 19
        var nanos: Int64 = 0
        if b[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < b.count, b[index] &- UInt8(ascii: "0") < 10 {
                if index - start < 9 {
                    nanos = nanos * 10 + Int64(b[index] - UInt8(ascii: "0"))
                }
                index += 1
            }
            guard index > start else {
                return nil
            }
            for _ in min(9, index - start)..<9 {
                nanos *= 10
            }
        }
        guard index < b.count else {
            return nil
        }
        var offsetSeconds: Int64 = 0
        if b[index] | 0x20 == UInt8(ascii: "z") {
            index += 1
        } else if b[index] == UInt8(ascii: "+") || b[index] == UInt8(ascii: "-") {
            guard index + 6 == b.count, let offsetHour = digits(b, index + 1, 2), b[index + 3] == UInt8(ascii: ":"),
                let offsetMinute = digits(b, index + 4, 2), offsetHour <= 23, offsetMinute <= 59
            else {
                return nil
            }
            offsetSeconds = Int64(offsetHour * 3600 + offsetMinute * 60) * (b[index] == UInt8(ascii: "-") ? -1 : 1)
            index += 6
        } else {
            return nil
        }
        guard index == b.count else {
            return nil
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - offsetSeconds
        return (seconds, Int32(nanos))
    }

    private static func digits(_ b: [UInt8], _ start: Int, _ count: Int) -> Int? {
        guard start + count <= b.count else {
            return nil
        }
        var value = 0
        for index in start..<(start + count) {
            let digit = b[index] &- UInt8(ascii: "0")
            guard digit < 10 else {
                return nil
            }
            value = value * 10 + Int(digit)
        }
        return value
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func format(seconds: Int64, millis: Int) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yearOfEra + era * 400) + (month <= 2 ? 1 : 0)
        guard (0...9999).contains(year) else {
            let time = "\(secondOfDay / 3600):\(secondOfDay / 60 % 60):\(secondOfDay % 60).\(millis)"
            return "\(year)-\(month)-\(day)T\(time)Z"
        }
        // YYYY-MM-DDTHH:MM:SS.mmmZ, written digit by digit (this runs for every stored event).
        return String(unsafeUninitializedCapacity: 24) { output in
            var position = 0
            func put(_ value: Int, width: Int) {
                var divisor = 1
                for _ in 1..<width {
                    divisor *= 10
                }
                for _ in 0..<width {
                    output[position] = UInt8(ascii: "0") + UInt8(value / divisor % 10)
                    position += 1
                    divisor /= 10
                }
            }
            func put(_ byte: Unicode.Scalar) {
                output[position] = UInt8(ascii: byte)
                position += 1
            }
            put(year, width: 4)
            put("-")
            put(month, width: 2)
            put("-")
            put(day, width: 2)
            put("T")
            put(secondOfDay / 3600, width: 2)
            put(":")
            put(secondOfDay / 60 % 60, width: 2)
            put(":")
            put(secondOfDay % 60, width: 2)
            put(".")
            put(millis, width: 3)
            put("Z")
            return position
        }
    }
}
