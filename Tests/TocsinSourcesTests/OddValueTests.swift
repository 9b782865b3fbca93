// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinSources

/// Odd values never hide a record: for every native format, an empty, overlong, control-character,
/// noncharacter or (where the framing carries raw bytes) non-UTF-8 value in each field that feeds an
/// attribute (`id`, a `source` segment, `type`, `subject`, `time`) gives a stored, valid event.
struct OddValueTests {
    /// A JSON format's record and the members whose values become attributes.
    struct JSONCase: Sendable, CustomTestStringConvertible {
        let format: SourceFormat
        let record: String
        let fields: [String]
        var testDescription: String { format.rawValue }
    }

    static let jsonCases: [JSONCase] = [
        JSONCase(
            format: .cloudtrail,
            record:
                #"{"eventTime":"2026-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"e1","recipientAccountId":"111122223333","awsRegion":"eu-west-1","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/a","userName":"a"}}"#,
            fields: [
                "eventID", "recipientAccountId", "awsRegion", "eventSource", "eventName", "userIdentity.arn",
                "userIdentity.userName", "eventTime",
            ]
        ),
        JSONCase(
            format: .guardduty,
            record:
                #"{"id":"f1","type":"Recon:EC2/PortProbeUnprotectedPort","severity":2,"accountId":"1","region":"eu-west-1","updatedAt":"2026-01-01T00:00:00Z","createdAt":"2026-01-01T00:00:00Z"}"#,
            fields: ["id", "type", "accountId", "region", "updatedAt", "createdAt"]
        ),
        JSONCase(
            format: .k8sAudit,
            record:
                #"{"kind":"Event","auditID":"a1","stage":"ResponseComplete","verb":"get","user":{"username":"u"},"objectRef":{"resource":"pods","subresource":"log"},"requestReceivedTimestamp":"2026-01-01T00:00:00Z"}"#,
            fields: [
                "auditID", "stage", "verb", "objectRef.resource", "objectRef.subresource", "user.username",
                "requestReceivedTimestamp",
            ]
        ),
        JSONCase(
            format: .gcpAudit,
            record:
                #"{"insertId":"i1","timestamp":"2026-01-01T00:00:00Z","logName":"projects/p1/logs/cloudaudit.googleapis.com%2Factivity","resource":{"type":"gce","labels":{"project_id":"p1"}},"protoPayload":{"methodName":"v1.compute.instances.get","authenticationInfo":{"principalEmail":"a@example.com"}}}"#,
            fields: [
                "insertId", "timestamp", "logName", "resource.labels.project_id", "protoPayload.methodName",
                "protoPayload.authenticationInfo.principalEmail",
            ]
        ),
        JSONCase(
            format: .azureActivity,
            record:
                #"{"time":"2026-01-01T00:00:00Z","resourceId":"/subscriptions/s1/resourceGroups/g","operationName":"Microsoft.Storage/write","caller":"a@example.com","tenantId":"t1"}"#,
            fields: ["time", "resourceId", "operationName", "caller", "tenantId"]
        ),
        JSONCase(
            format: .azureSignIn,
            record:
                #"{"time":"2026-01-01T00:00:00Z","tenantId":"t1","properties":{"id":"s1","userPrincipalName":"a@example.com","status":{"errorCode":0},"createdDateTime":"2026-01-01T00:00:00Z"}}"#,
            fields: [
                "time", "tenantId", "properties.id", "properties.userPrincipalName", "properties.createdDateTime",
            ]
        ),
        JSONCase(
            format: .azureAudit,
            record:
                #"{"time":"2026-01-01T00:00:00Z","tenantId":"t1","operationName":"Add member","properties":{"id":"a1","activityDisplayName":"Add member to role","initiatedBy":{"user":{"userPrincipalName":"a@example.com"}}}}"#,
            fields: [
                "time", "tenantId", "operationName", "properties.id", "properties.activityDisplayName",
                "properties.initiatedBy.user.userPrincipalName",
            ]
        ),
        JSONCase(
            format: .okta,
            record:
                #"{"uuid":"u1","published":"2026-01-01T00:00:00Z","eventType":"user.session.start","actor":{"alternateId":"a@example.com"}}"#,
            fields: ["uuid", "published", "eventType", "actor.alternateId"]
        ),
        JSONCase(
            format: .githubAudit,
            record:
                #"{"_document_id":"d1","@timestamp":1767225600000,"action":"repo.create","actor":"a","org":"acme","business":"biz"}"#,
            fields: ["_document_id", "@timestamp", "action", "actor", "org", "business"]
        ),
        JSONCase(
            format: .vpcflow,
            record:
                #"{"version":2,"accountId":"1","interfaceId":"eni-1","srcAddr":"10.0.0.1","dstAddr":"10.0.0.2","start":1767225600,"action":"ACCEPT","logStatus":"OK"}"#,
            fields: ["accountId", "interfaceId", "srcAddr", "action", "logStatus", "start"]
        ),
    ]

    /// U+FDD0, U+FFFE and U+10FFFF (Swift literals refuse them).
    static let noncharacters = String(
        String.UnicodeScalarView([0xFDD0, 0xFFFE, 0x10FFFF].compactMap(Unicode.Scalar.init))
    )

    /// Values no attribute can hold as they are.
    static let oddStrings: [(name: String, value: String)] = [
        ("empty", ""),
        ("overlong", String(repeating: "A", count: 100_000)),
        ("overlong multi-byte", String(repeating: "é", count: 40_000) + "€"),
        ("control characters", "a\u{0}b\u{1B}[31m\u{7F}c\u{85}d\u{2028}"),
        ("noncharacters", "x\(noncharacters)y"),
        ("URI delimiters", "a/b c%zz<>?#[]\"\\"),
        ("only spaces", "   "),
    ]

    /// Odd values of other JSON types and times that cannot be read (any field may hold them).
    static let oddOthers: [(name: String, value: JSONValue)] = [
        ("huge number", .number(JSONNumber(text: "1e300"))),
        ("most negative", .number(JSONNumber(text: "-9223372036854775808"))),
        ("fraction", .number(JSONNumber(text: "-0.5"))),
        ("impossible date", .string("2026-02-30T25:61:00Z")),
    ]

    @Test("odd values in every attribute-bearing member still give a valid event", arguments: jsonCases)
    func jsonRecords(_ testCase: JSONCase) throws {
        let base = try JSONParser().parse(testCase.record)
        for field in testCase.fields {
            let values = Self.oddStrings.map { ($0.name, JSONValue.string($0.value)) } + Self.oddOthers
            for (name, value) in values {
                let record = JSONWriter().bytes(base.setting(field, to: value))
                let expectsRecord = value.stringValue != nil || !Self.mustBeString(field, in: testCase.format)
                try expectStored(testCase.format, record, "\(field) = \(name)", refusable: !expectsRecord)
            }
        }
    }

    /// Members that must be strings (`eventName`, `verb`…): a number there is a record of another
    /// shape, refused with its path; every string value is accepted.
    static func mustBeString(_ field: String, in format: SourceFormat) -> Bool {
        switch format {
        case .cloudtrail: ["eventSource", "eventName"].contains(field)
        case .guardduty: ["id", "type"].contains(field)
        case .k8sAudit: field == "verb"
        case .gcpAudit: field == "protoPayload.methodName"
        case .azureActivity: field == "operationName"
        case .okta: field == "eventType"
        case .githubAudit: field == "action"
        default: false
        }
    }

    @Test("odd values in syslog fields, including bytes that are not UTF-8, still give a valid event")
    func syslogLines() throws {
        let long = String(repeating: "h", count: 60_000)
        let lines: [(String, [UInt8])] = [
            (
                "empty user (loghub)",
                Array(
                    "Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for invalid user  from 5.188.10.180 port 38926 ssh2"
                        .utf8
                )
            ),
            (
                "empty user, accepted",
                Array("<38>Nov 25 10:00:00 h sshd[1]: Accepted password for  from 192.0.2.1 port 22 ssh2".utf8)
            ),
            ("empty invalid user", Array("<38>Nov 25 10:00:00 h sshd[1]: Invalid user  from 192.0.2.1 port 22".utf8)),
            (
                "empty sudo user",
                Array("<38>Nov 25 10:00:00 h sudo:  : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/id".utf8)
            ),
            (
                "overlong user",
                Array("<38>Nov 25 10:00:00 h sshd[1]: Failed password for \(long) from 192.0.2.1 port 22 ssh2".utf8)
            ),
            (
                "overlong host",
                Array("<38>Nov 25 10:00:00 \(long) sshd[1]: Accepted password for a from 192.0.2.1 port 22 ssh2".utf8)
            ),
            ("overlong program", Array("<38>Nov 25 10:00:00 h \(long)[1]: hello".utf8)),
            (
                "overlong RFC 5424 fields",
                Array("<34>1 2026-01-01T00:00:00Z \(long) \(long) \(long) \(long) - msg".utf8)
            ),
            (
                "control user",
                Array(
                    "<38>Nov 25 10:00:00 h sshd[1]: Failed password for r\u{1}o\u{1B}t\u{7F} from 192.0.2.1 port 22 ssh2"
                        .utf8
                )
            ),
            ("control host", Array("<34>1 2026-01-01T00:00:00Z h\u{1}st app - - - msg".utf8)),
            (
                "noncharacter user",
                Array(
                    "<38>Nov 25 10:00:00 h sshd[1]: Failed password for \(Self.noncharacters) from 192.0.2.1 port 22 ssh2"
                        .utf8
                )
            ),
            ("URI delimiters in host and program", Array("<34>1 2026-01-01T00:00:00Z h/%zz?# a<p>p - - - msg".utf8)),
            ("unreadable RFC 5424 time", Array("<34>1 yesterday host app - - - msg".utf8)),
            ("RFC 5424 year 0000", Array("<34>1 0000-01-01T00:00:00Z host app - - - msg".utf8)),
            (
                "non-UTF-8 user",
                Array("<38>Nov 25 10:00:00 h sshd[1]: Failed password for ".utf8) + [0xFF, 0xC3, 0x28, 0x80]
                    + Array(" from 192.0.2.1 port 22 ssh2".utf8)
            ),
            ("non-UTF-8 host", Array("<38>Nov 25 10:00:00 ".utf8) + [0xFE, 0xED] + Array(" sshd[1]: hello".utf8)),
            (
                "non-UTF-8 program",
                Array("<34>1 2026-01-01T00:00:00Z host ".utf8) + [0xC0, 0xAF] + Array(" - - - msg".utf8)
            ),
        ]
        for (name, line) in lines {
            try expectStored(.syslog, line, name)
        }
        let users = try lines.prefix(4).map {
            try SourceDecoder(format: .syslog, referenceMilliseconds: 0).decode($0.1)
        }
        #expect(users.allSatisfy { $0.entries.first?.event.subject == nil }, "an empty user is left out")
        #expect(users[0].entries.first?.event.type == "ssh.login.failed")
        #expect(users[0].entries.first?.ocsf?.text("src_endpoint.ip") == "5.188.10.180", "the attempt is counted")
        let invalid = try SourceDecoder(format: .syslog, referenceMilliseconds: 0).decode(lines[14].1)
        #expect(invalid.entries.first?.event.data == .binary(lines[14].1), "data keeps the exact bytes")
        let other = lines[14].1.map { $0 == 0xFF ? 0xFE : $0 }
        let otherID = try SourceDecoder(format: .syslog, referenceMilliseconds: 0).decode(other).entries.first?.event.id
        #expect(otherID != invalid.entries.first?.event.id, "lines differing in invalid bytes are not duplicates")
    }

    @Test("odd values in flow-log lines, including bytes that are not UTF-8, still give a valid event")
    func flowLines() throws {
        let fields = "2 111122223333 eni-1 10.0.0.1 10.0.0.2 443 49152 6 10 840 1767225600 1767225660 ACCEPT OK"
        let tokens = fields.split(separator: " ").map { Array($0.utf8) }
        let odd: [(String, [UInt8])] = [
            ("overlong", Array(repeating: UInt8(ascii: "A"), count: 100_000)),
            ("control characters", [0x61, 0x01, 0x1B, 0x7F, 0x62]),
            ("non-UTF-8", [0xFF, 0xC3, 0x28]),
            ("URI delimiters", Array("a/b%zz?#".utf8)),
            ("beyond year 9999", Array("9223372036854775807".utf8)),
        ]
        // account-id, interface-id, srcaddr, start, action, log-status
        for index in [1, 2, 3, 10, 12, 13] {
            for (name, value) in odd {
                var line = tokens
                line[index] = value
                try expectStored(.vpcflow, Array(line.joined(separator: [0x20])), "field \(index) = \(name)")
            }
        }
    }

    /// Decodes `record` alone and checks it gave one entry whose attributes pass CloudEvents
    /// validation (as the store reads them back) and stay within ``SourceAttributeLimits``.
    private func expectStored(
        _ format: SourceFormat,
        _ record: [UInt8],
        _ name: String,
        refusable: Bool = false,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let batch = try SourceDecoder(format: format, referenceMilliseconds: SourceFixtures.reference).decode(record)
        if refusable && batch.entries.isEmpty {
            #expect(batch.rejected.first?.error.path != nil, "\(format) \(name): refused with a path")
            return
        }
        #expect(
            batch.entries.count == 1 && batch.rejectedCount == 0,
            "\(format) \(name): \(batch.rejected.map(\.error.description))",
            sourceLocation: sourceLocation
        )
        guard let event = batch.entries.first?.event else {
            return
        }
        #expect(throws: Never.self, "\(format) \(name)", sourceLocation: sourceLocation) {
            try event.validateAttributes()
            _ = try CloudEventDecoder().decode(json: .object(event.attributes))
        }
        #expect(event.id.utf8.count <= SourceAttributeLimits.maxIDBytes, "\(format) \(name)")
        #expect(event.type.utf8.count <= SourceAttributeLimits.maxTypeBytes, "\(format) \(name)")
        #expect((event.subject?.utf8.count ?? 0) <= SourceAttributeLimits.maxSubjectBytes, "\(format) \(name)")
        #expect(event.subject?.isEmpty != true, "\(format) \(name): an empty subject is left out")
        #expect(
            event.source.split(separator: "/").allSatisfy {
                $0.utf8.count <= SourceAttributeLimits.maxSourceSegmentBytes
            },
            "\(format) \(name)"
        )
    }
}

extension JSONValue {
    /// A copy with the member at the dotted `path` set to `value` (objects created on the way).
    func setting(_ path: String, to value: JSONValue) -> JSONValue {
        setting(path.split(separator: ".").map(String.init)[...], to: value)
    }

    private func setting(_ keys: ArraySlice<String>, to value: JSONValue) -> JSONValue {
        guard let key = keys.first else {
            return value
        }
        var object: JSONObject
        if case .object(let existing) = self {
            object = existing
        } else {
            object = JSONObject([])
        }
        let child = object[key] ?? .null
        object[key] = child.setting(keys.dropFirst(), to: value)
        return .object(object)
    }
}
