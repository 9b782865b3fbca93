// SPDX-License-Identifier: Apache-2.0

import Crypto
public import TocsinCore

/// Syslog lines (RFC 3164 or RFC 5424) to CloudEvents, with sshd, PAM and sudo lines normalised to
/// OCSF Authentication (3002), SSH Activity (4007) or Authorize Session (3003).
///
/// The convention (stable):
/// - `source`: `/syslog/<hostname>/<program>` (`-` for a missing part);
/// - `type`: `ssh.login.succeeded|failed|invalid_user`, `ssh.pam.auth_failed`, `ssh.connection.closed`,
///   `ssh.session.opened|closed|disconnected`, `sudo.command|denied`, and `syslog.message` for
///   anything else;
/// - `subject`: the user, when the line names one;
/// - `time`: the header time (RFC 3164: the collector's year, UTC), else the collector's time;
/// - `id`: the first 32 hex digits of SHA-256 over host, header time, program, process id and
///   message, so re-ingesting a file does not duplicate;
/// - `data`: the line itself, as `text/plain` (its exact bytes, as binary data, when they are not
///   UTF-8: the fields are then read from the line with U+FFFD for each invalid sequence).
public struct SyslogNormalizer: Sendable {
    private let parser: SyslogParser

    /// Creates a normaliser; `referenceMilliseconds` is the collector's clock (RFC 3164 has no year).
    public init(referenceMilliseconds: Int64) {
        parser = SyslogParser(referenceMilliseconds: referenceMilliseconds)
    }

    /// Normalises one line given as bytes (a datagram, a TCP frame, a line of a body), UTF-8 or not.
    ///
    /// - Throws: ``SourceError`` when the line is not syslog.
    public func normalize(bytes: some Collection<UInt8>) throws(SourceError) -> LogEntry {
        if let line = String(validating: bytes, as: UTF8.self) {
            return try normalize(line)
        }
        return try normalize(String(decoding: bytes, as: UTF8.self), data: .binary(Array(bytes)))
    }

    /// Normalises one line.
    ///
    /// - Throws: ``SourceError`` when the line is not syslog.
    public func normalize(_ line: String) throws(SourceError) -> LogEntry {
        try normalize(line, data: .text(line))
    }

    private func normalize(_ line: String, data: CloudEventData) throws(SourceError) -> LogEntry {
        let message = try parser.parse(line)
        let authentication = AuthenticationLine.classify(app: message.appName, message: message.message)
        let time = message.time ?? Timestamp(epochMilliseconds: parser.referenceMilliseconds)
        var identity = SHA256()
        func feed(_ part: String?, separator: Bool = true) {
            var part = part ?? "-"
            part.withUTF8 { identity.update(bufferPointer: UnsafeRawBufferPointer($0)) }
            if separator {
                withUnsafeBytes(of: UInt8(0)) { identity.update(bufferPointer: $0) }
            }
        }
        feed(message.hostname)
        feed(message.timeText)
        feed(message.appName)
        feed(message.processID)
        if case .binary(let raw) = data {
            // Lines that differ only in their invalid bytes read the same; their ids must not.
            raw.withUnsafeBytes { identity.update(bufferPointer: $0) }
        } else {
            feed(message.message, separator: false)
        }
        // The id (a digest), the type (fixed names) and the time (a header time, years 0000–9999)
        // are valid as they are; the host, program and user come from the line and are fitted.
        let event = CloudEvent(
            id: RecordIdentity.id(identity.finalize()),
            source: AttributeFitting.source(
                "/syslog/\(CloudEvent.sourceSegment(message.hostname ?? "-"))/\(CloudEvent.sourceSegment(message.appName ?? "-"))"
            ),
            type: authentication?.kind.rawValue ?? "syslog.message",
            dataContentType: "text/plain",
            subject: AttributeFitting.subject(authentication?.user),
            time: time,
            data: data
        )
        return LogEntry(
            event: event,
            ocsf: authentication.map { OCSFAuthentication.view($0, message: message, time: time) }
        )
    }
}
