// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// One syslog message, RFC 3164 (BSD) or RFC 5424, split into its header fields.
public struct SyslogMessage: Sendable, Hashable {
    /// The framing the message was written in.
    public enum Format: String, Sendable, Hashable {
        case rfc3164
        case rfc5424
    }

    /// The framing.
    public var format: Format
    /// `PRI / 8`, when a PRI was present (files usually strip it).
    public var facility: Int?
    /// `PRI % 8`, when a PRI was present.
    public var severity: Int?
    /// The header time; RFC 3164 times get the collector's year in UTC.
    public var time: Timestamp?
    /// The header time exactly as written.
    public var timeText: String?
    /// The sending host (name or address), if any.
    public var hostname: String?
    /// The program (`TAG` in RFC 3164, `APP-NAME` in RFC 5424), if any.
    public var appName: String?
    /// The process id, if any.
    public var processID: String?
    /// RFC 5424 `MSGID`, if any.
    public var messageID: String?
    /// RFC 5424 structured data as written, if any.
    public var structuredData: String?
    /// The free-form message (a leading UTF-8 BOM removed).
    public var message: String
}
