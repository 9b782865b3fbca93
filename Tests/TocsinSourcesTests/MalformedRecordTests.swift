// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinCore
import TocsinSources
import TocsinTesting

/// Bad records are refused with a location and never stop the rest of a body.
struct MalformedRecordTests {
    func decode(_ format: SourceFormat, _ body: [UInt8]) throws -> SourceBatch {
        try SourceDecoder(format: format, referenceMilliseconds: SourceFixtures.reference).decode(body)
    }

    /// One good record per JSON format, and what to break in it.
    static let good: [(SourceFormat, String, String)] = [
        (
            .cloudtrail,
            #"{"eventTime":"2026-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"e"}"#,
            "eventName"
        ),
        (
            .guardduty,
            #"{"id":"f","type":"Recon:EC2/PortProbeUnprotectedPort","severity":2,"updatedAt":"2026-01-01T00:00:00Z"}"#,
            "type"
        ),
        (.k8sAudit, #"{"auditID":"a","verb":"get","requestReceivedTimestamp":"2026-01-01T00:00:00Z"}"#, "verb"),
        (
            .gcpAudit, #"{"insertId":"i","timestamp":"2026-01-01T00:00:00Z","protoPayload":{"methodName":"m.get"}}"#,
            "protoPayload"
        ),
        (
            .azureActivity, #"{"time":"2026-01-01T00:00:00Z","operationName":"Microsoft.Storage/write"}"#,
            "operationname"
        ),
        (
            .azureSignIn, #"{"time":"2026-01-01T00:00:00Z","properties":{"id":"s","status":{"errorCode":0}}}"#,
            "properties"
        ),
        (
            .azureAudit, #"{"time":"2026-01-01T00:00:00Z","properties":{"id":"a","activityDisplayName":"Add user"}}"#,
            "properties"
        ),
        (.okta, #"{"uuid":"u","published":"2026-01-01T00:00:00Z","eventType":"user.session.start"}"#, "eventType"),
        (.githubAudit, #"{"action":"repo.create","@timestamp":1767225600000}"#, "action"),
    ]

    @Test(arguments: good.map(\.0.rawValue))
    func badLinesAreLocatedAndSkipped(format name: String) throws {
        let (format, record, required) = Self.good.first { $0.0.rawValue == name }!
        let withoutRequired = try removing(required, from: record)
        let wrongType = try replacing(required, in: record, with: .number(JSONNumber(5)))
        let truncated = String(record.dropLast(7))
        let body = [
            record, truncated, wrongType, #""a string""#, withoutRequired,
            record.replacingOccurrences(of: "\"e\"", with: "\"e2\""),
        ]
        .joined(separator: "\n")
        let batch = try decode(format, Array(body.utf8))
        #expect(batch.entries.count == 2, "the first and last lines are good: \(batch.rejected.map { "\($0.error)" })")
        #expect(batch.rejected.map(\.position.line) == [2, 3, 4, 5])
        #expect(
            batch.rejected[0].error.path == nil && batch.rejected[0].error.offset > 0,
            "truncated JSON: a byte offset"
        )
        let requiredPath = "$.\(required)"
        #expect(batch.rejected[1].error.path == requiredPath, "wrong type: \(batch.rejected[1].error)")
        #expect(batch.rejected[1].error.message.contains("found number"))
        #expect(batch.rejected[2].error.path == "$")
        #expect(batch.rejected[3].error.path?.hasPrefix(requiredPath) == true, "missing: \(batch.rejected[3].error)")
    }

    @Test func errorsNeverQuoteValues() throws {
        let secret = "hunter2-secret-value"
        let body = #"{"eventTime":"\#(secret)","eventSource":"s3","eventName":{"v":"\#(secret)"}}"#
        let batch = try decode(.cloudtrail, Array(body.utf8))
        #expect(batch.rejected.count == 1)
        #expect(!batch.rejected[0].error.description.contains(secret))
    }

    @Test func garbageSyslogAndFlowLines() throws {
        let syslog =
            "<38>Nov 25 10:00:01 host sshd[1]: Accepted password for a from 192.0.2.1 port 1 ssh2\n<999>garbage\n<34>1 yesterday host app - - - msg\n<38>Nov 25 10:00:02 host sshd[1]: Failed password for b from 192.0.2.1 port 1 ssh2\n"
        let syslogBatch = try decode(.syslog, Array(syslog.utf8))
        #expect(syslogBatch.entries.count == 3 && syslogBatch.rejected.map(\.position.line) == [2])
        #expect(syslogBatch.entries[1].event.time?.epochMilliseconds == SourceFixtures.reference, "unreadable time")
        let invalidUTF8: [UInt8] =
            Array("2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 2 ACCEPT OK\n".utf8) + [0xFF, 0xFE, 0x0A]
        let flows = try decode(.vpcflow, invalidUTF8 + Array("too few fields\n".utf8))
        #expect(flows.entries.count == 1)
        #expect(flows.rejected.map(\.position.line) == [2, 3])
        #expect(flows.rejected[0].error.message.contains("has 1 fields"), "not UTF-8, but read as a line")
        #expect(flows.rejected[1].error.message.contains("has 3 fields but the format has 14"))
    }

    @Test func invalidGzipIsABodyError() throws {
        let good = Array(#"{"eventTime":"2026-01-01T00:00:00Z","eventSource":"s","eventName":"X","eventID":"1"}"#.utf8)
        let compressed = try systemGzip(good)
        #expect(try decode(.cloudtrail, compressed).entries.count == 1)
        #expect(throws: SourceBodyError.self) {
            try decode(.cloudtrail, Array(compressed.prefix(compressed.count / 2)))
        }
        var corrupted = compressed
        corrupted[12] ^= 0xFF
        corrupted[13] ^= 0xFF
        #expect(throws: SourceBodyError.self) { try decode(.cloudtrail, corrupted) }
        #expect(throws: SourceError.self) {
            try Gzip.decompress(try systemGzip([UInt8](repeating: 0x41, count: 1_000_000)), limit: 1000)
        }
        #expect(try Gzip.decompress(compressed + compressed, limit: 1 << 20) == good + good, "concatenated members")
    }

    /// Values that cannot appear in CloudEvents attributes as they are (placeholders with spaces and
    /// `<>`, control characters an attacker put in a user name) do not get the record refused:
    /// source segments are percent-encoded and forbidden characters become U+FFFD.
    @Test func hostileValuesStillGiveValidEvents() throws {
        let records = [
            #"{"eventTime":"2026-01-01T00:00:00Z","eventSource":"sso.amazonaws.com","eventName":"CreateToken","recipientAccountId":"<organization master account ID>","awsRegion":"us east/1","userIdentity":{"type":"IAMUser","userName":"evil\u0001user"},"eventID":"e\u0007id"}"#,
            #"{"@timestamp":1700000000000,"action":"repo.create","actor":"bad\tactor","org":"Acme Corp/../x","_document_id":"doc"}"#,
        ]
        for (format, record) in zip([SourceFormat.cloudtrail, .githubAudit], records) {
            let batch = try SourceDecoder(format: format, referenceMilliseconds: SourceFixtures.reference)
                .decode(Array(record.utf8))
            #expect(batch.rejected.isEmpty, "\(batch.rejected)")
            let event = try #require(batch.entries.first?.event)
            #expect(throws: Never.self) { try event.validateAttributes() }
            #expect(
                event.source.hasPrefix("/aws/cloudtrail/%3Corganization")
                    || event.source.hasPrefix("/github/Acme%20Corp%2F")
            )
        }
        let line = "<38>Nov 25 10:00:00 bastion sshd[42]: Accepted password for ro\u{1}ot from 203.0.113.9 port 22 ssh2"
        let syslog = try SyslogNormalizer(referenceMilliseconds: SourceFixtures.reference).normalize(line).event
        #expect(syslog.subject == "ro\u{FFFD}ot")
        #expect(throws: Never.self) { try syslog.validateAttributes() }
    }

    /// Times given as numbers far past what a timestamp can write leave the event without a time
    /// (the record is still stored, as every odd value is), never a trap that takes the server
    /// down (found by fuzzing: `start * 1000` overflowed; then by reading: `end * 1000`,
    /// `Int64(1e300)`, and `Timestamp` within a second of `Int64.min`).
    @Test(arguments: [
        ("vpcflow", "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 14312801432917027 1418530070 ACCEPT OK", false),
        ("vpcflow", "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 -9223372036854775 1418530070 ACCEPT OK", false),
        ("vpcflow", "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1418530010 92233720368547758 ACCEPT OK", true),
        ("vpcflow", #"{"srcAddr":"10.0.0.1","start":1418530010,"end":-9223372036854775}"#, true),
        ("github-audit", #"{"action":"repo.create","@timestamp":1e300}"#, false),
        ("github-audit", #"{"action":"repo.create","@timestamp":-9223372036854775807}"#, false),
        ("github-audit", #"{"action":"repo.create","@timestamp":253402300800000}"#, false),
    ])
    func timesPastWhatATimestampCanWriteAreNoTrap(format name: String, record: String, hasTime: Bool) throws {
        let batch = try decode(try #require(SourceFormat(rawValue: name)), Array(record.utf8))
        #expect(batch.rejected.isEmpty, "\(batch.rejected)")
        let entry = try #require(batch.entries.first)
        #expect((entry.event.time != nil) == hasTime)
        #expect(entry.event.time == nil || entry.event.time?.text.count == 24)
        #expect(throws: Never.self) { try entry.event.validateAttributes() }
    }

    private func removing(_ key: String, from record: String) throws -> String {
        guard case .object(let object) = try JSONParser().parse(record) else {
            return record
        }
        let kept = object.members.filter { $0.name.lowercased() != key.lowercased() }
        return JSONWriter().string(.object(JSONObject(kept)))
    }

    private func replacing(_ key: String, in record: String, with value: JSONValue) throws -> String {
        guard case .object(let object) = try JSONParser().parse(record) else {
            return record
        }
        let members = object.members.map {
            $0.name.lowercased() == key.lowercased() ? .init(name: $0.name, value: value) : $0
        }
        return JSONWriter().string(.object(JSONObject(members)))
    }
}
