// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOHTTP1
import Testing
import TocsinCore
import TocsinTesting

/// `tocsin rules test` and `tocsin rules backtest` as a user runs them.
struct RulesCommandTests {
    static let rules = """
        targets:
          edge: {kind: blocklist, ip_path: $.ocsf.src_endpoint.ip}
        rules:
          ssh-bruteforce:
            pattern: {type: [ssh.login.failed]}
            threshold: {count: 3, within_seconds: 60, group_by: [$.ocsf.src_endpoint.ip]}
            targets: [{target: edge}]
            tests:
              - events:
                  - {type: ssh.login.failed, time: "2026-11-25T10:00:01Z", ocsf: {src_endpoint: {ip: 203.0.113.9}}}
                  - {type: ssh.login.failed, time: "2026-11-25T10:00:02Z", ocsf: {src_endpoint: {ip: 203.0.113.9}}}
                  - {type: ssh.login.failed, time: "2026-11-25T10:00:03Z", ocsf: {src_endpoint: {ip: 203.0.113.9}}}
                alerts: 1
              - events:
                  - {type: ssh.login.failed, time: "2026-11-25T10:00:01Z", ocsf: {src_endpoint: {ip: 203.0.113.9}}}
                  - {type: ssh.login.failed, time: "2026-11-25T10:05:02Z", ocsf: {src_endpoint: {ip: 203.0.113.9}}}
                  - {type: ssh.login.failed, time: "2026-11-25T10:10:03Z", ocsf: {src_endpoint: {ip: 203.0.113.9}}}
                alerts: 0
              - event: {type: ssh.login.succeeded}
                match: false
        """

    func directory(_ rules: String) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.path + "/rules", withIntermediateDirectories: true)
        try Data(rules.utf8).write(to: URL(fileURLWithPath: directory.path + "/rules/ssh.yaml"))
        return directory
    }

    @Test func inlineTestsPassAndAFailingOneExitsOne() async throws {
        let passing = try directory(Self.rules)
        defer { passing.remove() }
        let result = try await runTocsin(["rules", "test", passing.path + "/rules"])
        #expect(result.status == 0, "\(result.output)\(result.errors)")
        #expect(result.output.contains("PASS ssh-bruteforce tests[0]") && result.output.contains("3 test(s), 0 failed"))
        let failing = try directory(Self.rules.replacingOccurrences(of: "alerts: 0", with: "alerts: 2"))
        defer { failing.remove() }
        let failed = try await runTocsin(["rules", "test", failing.path + "/rules"])
        #expect(failed.status == 1)
        #expect(
            failed.output.contains("FAIL ssh-bruteforce tests[1]: expected 2 alert(s), got 0 alert(s)"),
            "\(failed.output)"
        )
    }

    @Test func sigmaRulesRunTheirInlineTestsFromTheirSettings() async throws {
        let sigma = """
            title: CloudTrail logging stopped
            id: 11111111-1111-1111-1111-111111111111
            logsource: {product: aws, service: cloudtrail}
            detection:
              selection: {eventSource: cloudtrail.amazonaws.com, eventName: StopLogging}
              condition: selection
            """
        let settings = """
            sigma:
              11111111-1111-1111-1111-111111111111:
                staged: true
                tests:
                  - event: {source: /aws/cloudtrail/eu-west-1, type: aws.cloudtrail.StopLogging,
                            data: {eventSource: cloudtrail.amazonaws.com, eventName: StopLogging}}
                    match: true
                  - event: {source: /okta/system-log, type: okta.user.session.start,
                            data: {eventSource: cloudtrail.amazonaws.com, eventName: StopLogging}}
                    match: MATCH
            """
        let passing = try directory(Self.rules)
        defer { passing.remove() }
        try Data(sigma.utf8).write(to: URL(fileURLWithPath: passing.path + "/rules/stop.yml"))
        try Data(settings.replacingOccurrences(of: "MATCH", with: "false").utf8)
            .write(to: URL(fileURLWithPath: passing.path + "/rules/sigma.yaml"))
        let result = try await runTocsin(["rules", "test", passing.path + "/rules"])
        #expect(result.status == 0, "\(result.output)\(result.errors)")
        #expect(result.output.contains("PASS sigma 11111111-1111-1111-1111-111111111111 tests[1]"), "\(result.output)")
        #expect(result.output.contains("5 test(s), 0 failed"))
        try Data(settings.replacingOccurrences(of: "MATCH", with: "true").utf8)
            .write(to: URL(fileURLWithPath: passing.path + "/rules/sigma.yaml"))
        let failed = try await runTocsin(["rules", "test", passing.path + "/rules"])
        #expect(failed.status == 1)
        #expect(
            failed.output.contains(
                "FAIL sigma 11111111-1111-1111-1111-111111111111 tests[1]: expected a match, got no match"
            ),
            "\(failed.output)"
        )
    }

    @Test(.timeLimit(.minutes(3))) func backtestReplaysStoredHistory() async throws {
        let directory = try directory(Self.rules)
        defer { directory.remove() }
        // History stored before the rule existed: a server without a rules directory.
        let server = try await ServerProcess.start(dataDirectory: directory.path + "/data")
        let lines =
            (1...4).map { second in
                "<38>Nov 25 10:00:0\(second) bastion sshd[\(second)]: Failed password for root from 203.0.113.9 port 22 ssh2"
            } + ["<38>Nov 25 10:00:05 bastion sshd[9]: Failed password for root from 198.51.100.7 port 22 ssh2"]
        let answer = try await call(
            server.baseURL + "/v1/sources/syslog",
            method: .POST,
            headers: [server.authorization],
            body: Array(lines.joined(separator: "\n").utf8)
        )
        #expect(answer.status == 202 && answer.json?.integer("accepted") == 5)
        #expect(await server.terminate() == 0)
        let year = Calendar(identifier: .gregorian).component(.year, from: Date())
        let result = try await runTocsin([
            "rules", "backtest", "ssh-bruteforce", "--from", "\(year - 1)-01-01T00:00:00Z",
            "--to", "\(year + 1)-01-01T00:00:00Z", "--rules-dir", directory.path + "/rules",
            "--data-dir", directory.path + "/data",
        ])
        #expect(result.status == 0, "\(result.errors)")
        let alerts = try result.output.split(separator: "\n").map { try JSONParser().parse(Array($0.utf8)) }
        #expect(alerts.count == 1, "three of the four failures from one address cross the threshold once")
        #expect(alerts.first?["rule"] == .string("ssh-bruteforce") && alerts.first?.integer("count") == 3)
        // Five lines, and the announcement of the checkpoint signed at shutdown.
        #expect(result.errors.contains("6 event(s)") && result.errors.contains("1 alert(s)"), "\(result.errors)")
        let unknown = try await runTocsin([
            "rules", "backtest", "nope", "--from", "2026-01-01T00:00:00Z", "--to", "2027-01-01T00:00:00Z",
            "--rules-dir", directory.path + "/rules", "--data-dir", directory.path + "/data",
        ])
        #expect(unknown.status == 2 && unknown.errors.contains("no pattern rule, Sigma rule or correlation"))
    }
}
