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
/// - `data`: the line itself, as `text/plain`.
public struct SyslogNormalizer: Sendable {
    private let parser: SyslogParser

    /// Creates a normaliser; `referenceMilliseconds` is the collector's clock (RFC 3164 has no year).
    public init(referenceMilliseconds: Int64) {
        parser = SyslogParser(referenceMilliseconds: referenceMilliseconds)
    }

    /// Normalises one line.
    ///
    /// - Throws: ``SourceError`` when the line is not syslog.
    public func normalize(_ line: String) throws(SourceError) -> LogEntry {
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
        feed(message.message, separator: false)
        let event = CloudEvent(
            id: RecordIdentity.id(identity.finalize()),
            source:
                "/syslog/\(CloudEvent.sourceSegment(message.hostname ?? "-"))/\(CloudEvent.sourceSegment(message.appName ?? "-"))",
            type: authentication?.kind.rawValue ?? "syslog.message",
            dataContentType: "text/plain",
            subject: authentication?.user.map(CloudEvent.attributeText),
            time: time,
            data: .text(line)
        )
        return LogEntry(
            event: event,
            ocsf: authentication.map { OCSFAuthentication.view($0, message: message, time: time) }
        )
    }
}
