// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// Splits one syslog line (RFC 3164 or RFC 5424, with or without `<PRI>`) into a ``SyslogMessage``.
///
/// RFC 3164 has no year and no zone: the parser takes both from `referenceMilliseconds` (the
/// collector's clock, UTC) and moves a time that would lie more than a day in the future into the
/// previous year (a December line read in January). Lines without a recognisable header keep the
/// whole text as the message, as RFC 3164 prescribes.
public struct SyslogParser: Sendable {
    /// The collector's time, for the year of RFC 3164 timestamps.
    public var referenceMilliseconds: Int64

    /// Creates a parser.
    public init(referenceMilliseconds: Int64) {
        self.referenceMilliseconds = referenceMilliseconds
    }

    /// Parses `line` (without its line terminator).
    ///
    /// - Throws: ``SourceError`` for an empty line, a malformed PRI or a malformed RFC 5424 header
    ///   (a missing field, unclosed structured data); a TIMESTAMP that is not RFC 3339 gives a
    ///   message without a time, not an error.
    public func parse(_ line: String) throws(SourceError) -> SyslogMessage {
        var text = line
        let result: Result<SyslogMessage, SourceError> = text.withUTF8 { bytes in
            var cursor = ByteCursor(bytes: bytes)
            return Result { () throws(SourceError) -> SyslogMessage in try parse(&cursor) }
        }
        return try result.get()
    }

    private func parse(_ cursor: inout ByteCursor) throws(SourceError) -> SyslogMessage {
        guard !cursor.isAtEnd else {
            throw SourceError(offset: 0, message: "empty line")
        }
        var facility: Int?
        var severity: Int?
        if cursor.peek == UInt8(ascii: "<") {
            let start = cursor.index
            cursor.advance()
            guard let priority = cursor.readNumber(maxDigits: 3), priority <= 191, cursor.consume(UInt8(ascii: ">"))
            else {
                throw SourceError(offset: start, message: "PRI must be '<' a number from 0 to 191 '>'")
            }
            facility = priority / 8
            severity = priority % 8
        }
        if cursor.peek == UInt8(ascii: "1"), cursor.peek(at: 1) == UInt8(ascii: " ") {
            cursor.advance(by: 2)
            var message = try parse5424(&cursor)
            message.facility = facility
            message.severity = severity
            return message
        }
        var message = parse3164(&cursor)
        message.facility = facility
        message.severity = severity
        return message
    }

    // MARK: - RFC 3164

    private func parse3164(_ cursor: inout ByteCursor) -> SyslogMessage {
        let headerStart = cursor.index
        guard let (time, timeText) = readBSDTimestamp(&cursor), cursor.consume(UInt8(ascii: " ")) else {
            cursor.index = headerStart
            return SyslogMessage(format: .rfc3164, time: nil, message: cursor.rest)
        }
        // HOSTNAME may be empty (two spaces).
        let hostname = cursor.readToken()
        _ = cursor.consume(UInt8(ascii: " "))
        let tagStart = cursor.index
        var appName: String?
        var processID: String?
        let tag = cursor.readWhile { byte in
            byte != UInt8(ascii: ":") && byte != UInt8(ascii: "[") && byte != UInt8(ascii: " ")
        }
        if cursor.peek == UInt8(ascii: "[") {
            cursor.advance()
            let pid = cursor.readWhile { $0 != UInt8(ascii: "]") && $0 != UInt8(ascii: " ") }
            if cursor.consume(UInt8(ascii: "]")), cursor.peek == UInt8(ascii: ":") {
                processID = pid
            }
        }
        if !tag.isEmpty, cursor.consume(UInt8(ascii: ":")) {
            appName = tag
            _ = cursor.consume(UInt8(ascii: " "))
        } else {
            processID = nil
            cursor.index = tagStart
        }
        return SyslogMessage(
            format: .rfc3164,
            time: time,
            timeText: timeText,
            hostname: hostname.isEmpty ? nil : hostname,
            appName: appName,
            processID: processID,
            message: cursor.rest
        )
    }

    /// `Mmm dd hh:mm:ss` (day space-padded).
    private func readBSDTimestamp(_ cursor: inout ByteCursor) -> (Timestamp, String)? {
        let start = cursor.index
        guard cursor.remaining >= 15 else {
            return nil
        }
        let monthText = String(decoding: cursor.slice(start, start + 3), as: UTF8.self)
        guard let monthIndex = Self.months.firstIndex(of: monthText), cursor.byte(at: start + 3) == UInt8(ascii: " ")
        else {
            return nil
        }
        let dayHigh = cursor.byte(at: start + 4)
        let dayLow = cursor.byte(at: start + 5)
        guard dayHigh == UInt8(ascii: " ") || isDigit(dayHigh), isDigit(dayLow),
            cursor.byte(at: start + 6) == UInt8(ascii: " "),
            let hour = twoDigits(cursor, start + 7), cursor.byte(at: start + 9) == UInt8(ascii: ":"),
            let minute = twoDigits(cursor, start + 10), cursor.byte(at: start + 12) == UInt8(ascii: ":"),
            let second = twoDigits(cursor, start + 13), hour < 24, minute < 60, second < 61
        else {
            return nil
        }
        let day = (dayHigh == UInt8(ascii: " ") ? 0 : Int(dayHigh - 48) * 10) + Int(dayLow - 48)
        guard (1...31).contains(day) else {
            return nil
        }
        let text = String(decoding: cursor.slice(start, start + 15), as: UTF8.self)
        cursor.index = start + 15
        var year = CivilTime.year(ofMilliseconds: referenceMilliseconds)
        var milliseconds = CivilTime.milliseconds(
            year: year,
            month: monthIndex + 1,
            day: day,
            hour: hour,
            minute: minute,
            second: second
        )
        if milliseconds > referenceMilliseconds + 86_400_000 {
            year -= 1
            milliseconds = CivilTime.milliseconds(
                year: year,
                month: monthIndex + 1,
                day: day,
                hour: hour,
                minute: minute,
                second: second
            )
        }
        return (Timestamp(epochMilliseconds: milliseconds), text)
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    // MARK: - RFC 5424

    private func parse5424(_ cursor: inout ByteCursor) throws(SourceError) -> SyslogMessage {
        func field(_ name: String) throws(SourceError) -> String? {
            let start = cursor.index
            let token = cursor.readToken()
            guard !token.isEmpty else {
                throw SourceError(offset: start, message: "RFC 5424 header: \(name) is missing")
            }
            guard cursor.consume(UInt8(ascii: " ")) || cursor.isAtEnd else {
                throw SourceError(offset: cursor.index, message: "RFC 5424 header: expected a space after \(name)")
            }
            return token == "-" ? nil : token
        }
        let timeText = try field("TIMESTAMP")
        // A TIMESTAMP that cannot be read is a value, not a framing error: the message is kept
        // and takes the collector's time.
        let time = timeText.flatMap { Timestamp(rfc3339: $0) }
        let hostname = try field("HOSTNAME")
        let appName = try field("APP-NAME")
        let processID = try field("PROCID")
        let messageID = try field("MSGID")
        var structuredData: String?
        if cursor.peek == UInt8(ascii: "-") {
            cursor.advance()
        } else if cursor.peek == UInt8(ascii: "[") {
            let start = cursor.index
            while cursor.peek == UInt8(ascii: "[") {
                guard cursor.skipStructuredElement() else {
                    throw SourceError(offset: start, message: "RFC 5424 structured data is not closed with ']'")
                }
            }
            structuredData = String(decoding: cursor.slice(start, cursor.index), as: UTF8.self)
        } else if !cursor.isAtEnd {
            throw SourceError(offset: cursor.index, message: "RFC 5424 STRUCTURED-DATA must be '-' or '[…]'")
        }
        _ = cursor.consume(UInt8(ascii: " "))
        if cursor.remaining >= 3, cursor.peek == 0xEF, cursor.peek(at: 1) == 0xBB, cursor.peek(at: 2) == 0xBF {
            cursor.advance(by: 3)
        }
        return SyslogMessage(
            format: .rfc5424,
            time: time,
            timeText: timeText,
            hostname: hostname,
            appName: appName,
            processID: processID,
            messageID: messageID,
            structuredData: structuredData,
            message: cursor.rest
        )
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= 0x30 && byte <= 0x39
    }

    private func twoDigits(_ cursor: ByteCursor, _ index: Int) -> Int? {
        let high = cursor.byte(at: index)
        let low = cursor.byte(at: index + 1)
        guard isDigit(high), isDigit(low) else {
            return nil
        }
        return Int(high - 48) * 10 + Int(low - 48)
    }
}
