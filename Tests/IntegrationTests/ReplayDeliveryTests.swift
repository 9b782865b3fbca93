// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
import NIOHTTP1
import Testing
import TocsinCore
import TocsinTesting

/// Replays into targets on the real binary: a range replayed into a webhook on loopback arrives
/// marked as the replay's, with idempotency keys of its own, once even when a restart runs the
/// replay again; the alerts it raises are delivered but never logged.
struct ReplayDeliveryTests {
    static func rules(port: Int) -> String {
        """
        targets:
          hook: {kind: webhook, url: "http://127.0.0.1:\(port)/hook"}
          other: {kind: webhook, url: "http://127.0.0.1:\(port)/other"}
        rules:
          signin:
            pattern: {type: [aws.signin]}
            targets: [{target: hook}, {target: other}]
          ssh-bruteforce:
            pattern: {type: [ssh.login.failed]}
            threshold: {count: 3, within_seconds: 60, group_by: [$.data.ip]}
            targets: [{target: hook}]
        """
    }

    @Test(
        "a replay into a webhook delivers the selected matches and alerts, marked as the replay's, once",
        .timeLimit(.minutes(4))
    )
    func deliversMarkedReplays() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-replay-deliver")
        defer { directory.remove() }
        let receiver = try await LoopbackReceiver.start()
        defer { receiver.stop() }
        let rules = directory.path + "/rules"
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        try Data(Self.rules(port: receiver.port).utf8).write(to: URL(fileURLWithPath: rules + "/rules.yaml"))
        let data = directory.path + "/data"
        let server = try await ServerProcess.start(dataDirectory: data, arguments: ["--rules-dir", rules])
        let replays = ReplayTests()
        let published = try await call(
            server.baseURL + "/v1/events",
            method: .POST,
            headers: [server.authorization, ("content-type", "application/cloudevents-batch+json")],
            body: ReplayTests.batch(0..<50)
        )
        guard case .array(let receipts)? = published.json?["events"], let last = receipts.last?.integer("seq") else {
            Issue.record("publish: \(published.status)")
            return
        }

        // The shadow report says what the replay will deliver: 10 sign-ins and every alert.
        let shadow = try await replays.post(
            server,
            #"{"from": 1, "to": \#(last), "targets": ["hook"], "dry_run": true}"#
        )
        let shadowID = try #require(shadow.json?.integer("id"), "\(String(decoding: shadow.body, as: UTF8.self))")
        let report = try #require(try await replays.completed(server, id: shadowID)?["report"])
        let alerts = try #require(report["rules"]?["ssh-bruteforce"]?.integer("alerts"))
        let expected = try #require(report["targets"]?["hook"]?.integer("deliveries"))
        #expect(alerts > 0 && expected == 10 + alerts)

        // Live routing delivers the same to `hook` and the sign-ins to `other`, unmarked.
        let live = try await server.eventually(timeout: .seconds(60)) {
            receiver.received.filter { $0.headers["tocsin-replay"] == nil }.count
        } until: {
            $0 == Int(expected) + 10
        }
        #expect(live == Int(expected) + 10)
        let loggedAlerts = try await server.events(type: "tocsin.alert.raised").count
        #expect(loggedAlerts == Int(alerts))

        let body =
            #"{"from": 1, "to": \#(last), "rules": ["signin", "ssh-bruteforce"], "targets": ["hook"], "dry_run": false}"#
        let started = try await replays.post(server, body)
        #expect(started.status == 202, "\(String(decoding: started.body, as: UTF8.self))")
        let id = try #require(started.json?.integer("id"))
        let status = try await server.eventually(timeout: .seconds(60)) {
            try await call(server.baseURL + "/v1/replays/\(id)", headers: [server.authorization]).json
        } until: {
            $0?["status"] == .string("completed") && $0?["deliveries"]?.integer("succeeded") == expected
        }
        #expect(status?["report"]?["targets"]?["hook"]?.integer("deliveries") == expected)
        #expect(status?["deliveries"]?.integer("pending") == 0)

        let replayed = try await server.eventually {
            receiver.received.filter { $0.headers["tocsin-replay"] != nil }
        } until: {
            $0.count == Int(expected)
        }
        #expect(replayed.count == Int(expected))
        #expect(replayed.allSatisfy { $0.headers["tocsin-replay"] == "\(id)" })
        let keys = Set(replayed.compactMap { $0.headers["idempotency-key"] })
        let liveKeys = Set(
            receiver.received.filter { $0.headers["tocsin-replay"] == nil }.compactMap { $0.headers["idempotency-key"] }
        )
        #expect(keys.count == Int(expected))
        #expect(keys.allSatisfy { $0.hasPrefix("tocsin-replay-") })
        #expect(keys.isDisjoint(with: liveKeys))
        for request in replayed {
            let payload = try JSONParser().parse(request.body)
            #expect(payload["replay"] == .string("\(id)"))
        }
        // The replay's alerts were delivered, never logged.
        #expect(try await server.events(type: "tocsin.alert.raised").count == loggedAlerts)
        #expect(await server.terminate() == 0)

        // A crash half-way through: the replay runs again after the restart and queues nothing twice.
        let database = try DatabaseQueue(path: data + "/tocsin.db")
        try await database.write { db in
            try db.execute(
                sql: "UPDATE replays SET status = 'running', report = NULL, completed_ms = NULL WHERE id = ?",
                arguments: [id]
            )
        }
        try database.close()
        let restarted = try await ServerProcess.start(dataDirectory: data, arguments: ["--rules-dir", rules])
        let again = try #require(try await replays.completed(restarted, id: id))
        #expect(again["restarts"] == .number(JSONNumber(1)))
        let counts = try #require(again["deliveries"])
        let total = ["pending", "succeeded", "dead-lettered", "dry-run"].compactMap { counts.integer($0) }
            .reduce(0, +)
        #expect(total == expected)
        #expect(counts.integer("succeeded") == expected)
        #expect(await restarted.terminate() == 0)
    }

    @Test("a replay into targets names its targets, and only existing ones")
    func validation() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-replay-deliver-invalid")
        defer { directory.remove() }
        let rules = directory.path + "/rules"
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        try Data(Self.rules(port: 9).utf8).write(to: URL(fileURLWithPath: rules + "/rules.yaml"))
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: ["--rules-dir", rules]
        )
        _ = try await server.publish(type: "aws.signin", ids: ["a", "b"])
        let replays = ReplayTests()
        let untargeted = try await replays.post(server, #"{"from": 1, "to": 2, "dry_run": false}"#)
        #expect(untargeted.status == 400)
        guard case .array(let problems)? = untargeted.json?["problems"] else {
            Issue.record("no problems member")
            return
        }
        #expect(problems.compactMap { $0["path"]?.stringValue } == ["/targets"])
        let unknown = try await replays.post(server, #"{"from": 1, "to": 2, "targets": ["nowhere"], "dry_run": false}"#)
        #expect(unknown.status == 400)
        #expect(String(decoding: unknown.body, as: UTF8.self).contains("no target is named 'nowhere'"))
        #expect(await server.terminate() == 0)
    }
}
