// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOHTTP1
import Testing
import TocsinCore
import TocsinTesting

/// A SigmaHQ rule, unmodified, in the rules directory of a real server: CloudTrail records posted
/// to the native source fire it, the alert is appended to the log with the rule's author, an
/// incident opens, and a rule on `tocsin.incident.opened` calls a webhook once.
struct SigmaDetectionTests {
    static let ruleID = "4db60cc0-36fb-42b7-9b58-a5b53019fb74"

    /// The SigmaHQ rule "AWS CloudTrail Important Change", as the Sigma fixtures hold it.
    static func sigmaRule() throws -> Data {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(
                "TocsinSigmaTests/Fixtures/sigma/sigmahq/rules/cloud/aws/cloudtrail/aws_cloudtrail_disable_logging.yml"
            )
        return try Data(contentsOf: path)
    }

    static func record(_ name: String, source: String, id: String) -> String {
        #"{"eventTime":"2026-12-01T03:14:00Z","eventSource":"\#(source)","eventName":"\#(name)","sourceIPAddress":"198.51.100.1","eventID":"\#(id)","recipientAccountId":"111122223333","awsRegion":"eu-west-1","userIdentity":{"type":"IAMUser","userName":"mallory"}}"#
    }

    @Test(.timeLimit(.minutes(3))) func cloudTrailStopLoggingRaisesAnAlertAndOneIncidentNotification() async throws {
        let receiver = try await TestReceiver.start()
        defer { receiver.stop() }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let rules = directory.path + "/rules"
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        try Self.sigmaRule().write(to: URL(fileURLWithPath: rules + "/aws_cloudtrail_disable_logging.yml"))
        let routing = """
            targets:
              pager: {kind: webhook, url: "\(receiver.url)"}
            rules:
              cloudtrail-tampering:
                pattern: {type: [tocsin.incident.opened], data: {rule: ["\(Self.ruleID)"]}}
                targets: [{target: pager}]
            """
        try Data(routing.utf8).write(to: URL(fileURLWithPath: rules + "/routing.yaml"))
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: ["--rules-dir", rules]
        )
        defer { Task { _ = await server.terminate() } }
        let records = [
            Self.record("GetObject", source: "s3.amazonaws.com", id: "get-1"),
            Self.record("StopLogging", source: "cloudtrail.amazonaws.com", id: "stop-1"),
            Self.record("StopLogging", source: "cloudtrail.amazonaws.com", id: "stop-2"),
        ]
        let answer = try await call(
            server.baseURL + "/v1/sources/cloudtrail",
            method: .POST,
            headers: [server.authorization],
            body: Array(#"{"Records":[\#(records.joined(separator: ","))]}"#.utf8)
        )
        #expect(answer.status == 202 && answer.json?.integer("accepted") == 3)
        let first = try #require(answer.json?.integer("first_seq"))
        let alerts = try await server.eventually({ try await server.events(type: "tocsin.alert.raised") }) {
            $0.count >= 2
        }
        let data = alerts.compactMap { $0["event"]?["data"] }
        #expect(data.count == 2, "one alert per StopLogging record, none for GetObject")
        #expect(data.allSatisfy { $0["rule"] == .string(Self.ruleID) && $0["kind"] == .string("sigma") })
        #expect(data.first?["author"] == .string("vitaliy0x1"), "the Detection Rule License requires the author")
        #expect(data.first?["title"] == .string("AWS CloudTrail Important Change"))
        let evidence = data.compactMap { alert -> Int64? in
            guard case .array(let sequences)? = alert["evidence"] else {
                return nil
            }
            guard case .number(let number)? = sequences.first else {
                return nil
            }
            return number.int64Value
        }
        #expect(evidence == [first + 1, first + 2])
        // Both alerts group into one incident (same rule, no group-by): one notification.
        #expect(await receiver.waitFor { !$0.received.isEmpty })
        let incidents = try await server.eventually(
            { try await call(server.baseURL + "/v1/incidents", headers: [server.authorization]).json },
            until: { incidents in
                guard case .array(let items)? = incidents?["incidents"] else {
                    return false
                }
                return items.first?.integer("alert_count") == 2
            }
        )
        guard case .array(let items)? = incidents?["incidents"] else {
            Issue.record("no incidents listed")
            return
        }
        #expect(items.count == 1 && items.first?["rule"] == .string(Self.ruleID))
        let posted = try JSONParser().parse(try #require(receiver.received.first).body)
        #expect(posted["type"] == .string("tocsin.incident.opened"))
        #expect(receiver.received.count == 1, "the second alert updated the incident and sent nothing")
    }
}
