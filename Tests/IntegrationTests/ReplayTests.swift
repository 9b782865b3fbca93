// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
import NIOHTTP1
import Testing
import TocsinCore
import TocsinTesting

/// Replays on the real binary: a shadow report over stored events, the same report after a restart
/// in the middle of a replay, the same report for the same range again and from the CLI, and the
/// API's validation problems.
struct ReplayTests {
    static let rules = """
        targets:
          pager: {kind: webhook, url: "http://127.0.0.1:9/pager", dry_run: true}
        rules:
          console-login:
            pattern: {type: [aws.signin]}
            targets: [{target: pager}]
          ssh-bruteforce:
            pattern: {type: [ssh.login.failed]}
            threshold: {count: 3, within_seconds: 60, group_by: [$.data.ip]}
            targets: [{target: pager}]
        """

    /// `count` events: SSH failures from eight addresses and sign-ins, one second apart in event time.
    static func batch(_ range: Range<Int>) -> [UInt8] {
        let events = range.map { index in
            let type = index % 5 == 0 ? "aws.signin" : "ssh.login.failed"
            let second = 1_795_000_000 + index
            let time = Timestamp(epochMilliseconds: Int64(second) * 1000).text
            return #"{"specversion":"1.0","id":"r\#(index)","source":"/replay-test","type":"\#(type)","#
                + #""time":"\#(time)","data":{"ip":"10.0.0.\#(index % 8)"}}"#
        }
        return Array("[\(events.joined(separator: ","))]".utf8)
    }

    func post(_ server: ServerProcess, _ body: String) async throws -> HTTPAnswer {
        try await call(
            server.baseURL + "/v1/replays",
            method: .POST,
            headers: [server.authorization, ("content-type", "application/json")],
            body: Array(body.utf8)
        )
    }

    func completed(_ server: ServerProcess, id: Int64) async throws -> JSONValue? {
        try await eventually(timeout: .seconds(60)) {
            try await call(server.baseURL + "/v1/replays/\(id)", headers: [server.authorization]).json
        } until: {
            $0?["status"] == .string("completed")
        }
    }

    @Test("a replay interrupted by a restart runs again and gives the same report, as does the same range again")
    func restartInTheMiddle() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-replay")
        defer { directory.remove() }
        let rules = directory.path + "/rules"
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        try Data(Self.rules.utf8).write(to: URL(fileURLWithPath: rules + "/rules.yaml"))
        let data = directory.path + "/data"
        let server = try await ServerProcess.start(dataDirectory: data, arguments: ["--rules-dir", rules])
        // Alerts and dry-run records interleave with the published events: the range ends at the last one.
        var last: Int64 = 0
        for start in stride(from: 0, to: 4000, by: 500) {
            let answer = try await call(
                server.baseURL + "/v1/events",
                method: .POST,
                headers: [server.authorization, ("content-type", "application/cloudevents-batch+json")],
                body: Self.batch(start..<start + 500)
            )
            #expect(answer.status == 202)
            if case .array(let receipts)? = answer.json?["events"], let seq = receipts.last?.integer("seq") {
                last = seq
            }
        }
        let body = #"{"from": 1, "to": \#(last), "dry_run": true, "examples": 50}"#
        let started = try await post(server, body)
        #expect(started.status == 202, "\(String(decoding: started.body, as: UTF8.self))")
        let id = try #require(started.json?.integer("id"))
        let first = try #require(try await completed(server, id: id))
        let report = try #require(first["report"])
        #expect(report["events"] == .number(JSONNumber(last)))
        #expect(report["rules"]?["ssh-bruteforce"]?["alerts"] != .number(JSONNumber(0)))
        #expect(report["rules"]?["console-login"]?["matched"] == .number(JSONNumber(800)))
        #expect(await server.terminate() == 0)

        // What a crash half-way through leaves behind: the row still running, half read, no report.
        let database = try DatabaseQueue(path: data + "/tocsin.db")
        try await database.write { db in
            try db.execute(
                sql: """
                    UPDATE replays SET status = 'running', processed = 2000, cursor = first_seq + 1999,
                    report = NULL, completed_ms = NULL WHERE id = ?
                    """,
                arguments: [id]
            )
        }
        try database.close()

        let restarted = try await ServerProcess.start(dataDirectory: data, arguments: ["--rules-dir", rules])
        let resumed = try #require(try await completed(restarted, id: id))
        #expect(resumed["restarts"] == .number(JSONNumber(1)))
        #expect(resumed["report"] == report)

        let again = try await post(restarted, body)
        let againID = try #require(again.json?.integer("id"))
        let second = try #require(try await completed(restarted, id: againID))
        #expect(second["report"] == report)

        let cli = try await runTocsin(
            [
                "replay", "--from", "1", "--to", "\(last)", "--examples", "50", "--dry-run", "--output", "json",
                "--server", restarted.baseURL, "--key", restarted.adminKey,
            ]
        )
        #expect(cli.status == 0, "\(cli.errors)")
        let printed = try JSONParser().parse(Array(cli.output.utf8))
        #expect(printed["report"] == report)

        let completions = try await call(
            restarted.baseURL + "/v1/events?type=tocsin.replay.completed&limit=100",
            headers: [restarted.authorization]
        )
        guard case .array(let events)? = completions.json?["events"] else {
            Issue.record("no events answer")
            return
        }
        #expect(events.filter { $0["event"]?["data"]?["id"] == .number(JSONNumber(id)) }.count == 1)
        #expect(await restarted.terminate() == 0)
    }

    @Test("rules_as_of replays the API's and the rules directory's rules as they stood at that sequence number")
    func pastRules() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-replay-past")
        defer { directory.remove() }
        let rules = directory.path + "/rules"
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        try Data(Self.rules.utf8).write(to: URL(fileURLWithPath: rules + "/rules.yaml"))
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: ["--rules-dir", rules]
        )
        try await server.define(
            "rule",
            "api-signin",
            #"{"pattern": {"type": ["aws.signin"]}, "targets": [{"target": "pager"}]}"#
        )
        let published = try await call(
            server.baseURL + "/v1/events",
            method: .POST,
            headers: [server.authorization, ("content-type", "application/cloudevents-batch+json")],
            body: Self.batch(0..<50)
        )
        #expect(published.status == 202)
        let deleted = try await call(
            server.baseURL + "/v1/rules/api-signin",
            method: .DELETE,
            headers: [server.authorization]
        )
        #expect(deleted.status == 204)
        try Data(Self.rules.replacingOccurrences(of: "{type: [aws.signin]}", with: "{type: [aws.signin.v2]}").utf8)
            .write(to: URL(fileURLWithPath: rules + "/rules.yaml"))
        kill(server.process.processIdentifier, SIGHUP)
        _ = try await server.eventually({ try await server.events(type: "tocsin.config.reloaded") }) { $0.count >= 2 }
        let created = try await server.events(type: "tocsin.rule.created")
        let version = try #require(created.first?.integer("seq"))
        let head = try #require(try await server.events(type: "tocsin.config.reloaded").last?.integer("seq"))

        let past = try await post(server, #"{"from": 1, "to": \#(head), "rules_as_of": \#(version), "dry_run": true}"#)
        let pastID = try #require(past.json?.integer("id"), "\(String(decoding: past.body, as: UTF8.self))")
        let pastReport = try #require(try await completed(server, id: pastID)?["report"])
        #expect(pastReport["rules"]?["api-signin"]?["matched"] == .number(JSONNumber(10)))
        #expect(pastReport["rules"]?["console-login"]?["matched"] == .number(JSONNumber(10)))

        let now = try await post(server, #"{"from": 1, "to": \#(head), "dry_run": true}"#)
        let nowID = try #require(now.json?.integer("id"))
        let nowReport = try #require(try await completed(server, id: nowID)?["report"])
        #expect(nowReport["rules"]?["api-signin"] == nil)
        #expect(nowReport["rules"]?["console-login"]?["matched"] ?? .number(JSONNumber(0)) == .number(JSONNumber(0)))
        #expect(nowReport["rules"]?["ssh-bruteforce"] == pastReport["rules"]?["ssh-bruteforce"])
        #expect(await server.terminate() == 0)
    }

    @Test("the API names every problem of a replay request with its JSON pointer")
    func validation() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-replay-invalid")
        defer { directory.remove() }
        let server = try await ServerProcess.start(dataDirectory: directory.path + "/data")
        let invalid = try await post(server, #"{"from": "yesterday", "to": 0, "rules": [], "colour": 1}"#)
        #expect(invalid.status == 400)
        #expect(invalid.json?["type"] == .string("urn:tocsin:problem:invalid-replay"))
        guard case .array(let problems)? = invalid.json?["problems"] else {
            Issue.record("no problems member")
            return
        }
        let paths = Set(problems.compactMap { $0["path"]?.stringValue })
        #expect(paths == ["/colour", "/from", "/to", "/rules", "/dry_run"])
        let unknown = try await post(server, #"{"from": 1, "to": 1, "rules": ["no-such-rule"], "dry_run": true}"#)
        #expect(unknown.status == 400)
        #expect(String(decoding: unknown.body, as: UTF8.self).contains("no-such-rule"))
        let missing = try await call(server.baseURL + "/v1/replays/99", headers: [server.authorization])
        #expect(missing.status == 404)
        #expect(await server.terminate() == 0)
    }
}
