// SPDX-License-Identifier: Apache-2.0

#if NATS
import Foundation
import NIOHTTP1
import Synchronization
import Testing
import TocsinConfig
import TocsinCore
import TocsinDetect
import TocsinNATS
import TocsinTesting

/// Routing and deliveries on consumers the nodes share (docs/scale-out.md): two real nodes with the
/// same rules directory on a real 3-node cluster, a real webhook receiver.
@Suite("Routing and deliveries on a cluster", .serialized, .timeLimit(.minutes(4)))
struct NATSRoutingTests {
    /// A threshold rule on `test.ping`: five per subject within a minute.
    private static let bursts = """
          bursts:
            pattern: {type: [test.ping]}
            threshold: {count: 5, within_seconds: 60, group_by: [$.subject]}
            targets: []
        """

    /// A rules directory: `test.ping` to the receiver, `test.doomed` to a closed port (two attempts),
    /// and ``bursts``.
    private static func rules(receiver: Int, closed: Int) -> String {
        """
        targets:
          hook:
            kind: webhook
            url: http://127.0.0.1:\(receiver)/hook
          dead:
            kind: webhook
            url: http://127.0.0.1:\(closed)/nobody
            retry: {max_attempts: 2, base_delay_ms: 10, max_delay_seconds: 1}
            circuit_breaker: {failure_threshold: 1000}
        rules:
          pings:
            pattern: {type: [test.ping]}
            targets: [{target: hook}]
          doomed:
            pattern: {type: [test.doomed]}
            targets: [{target: dead}]
        """ + "\n" + bursts
    }

    /// Runs `body` with a cluster, a receiver and two nodes routing with the same rules.
    private func withNodes(
        _ body: (NATSTestCluster, LoopbackReceiver, TocsinNode, TocsinNode) async throws -> Void
    ) async throws {
        try await NATSTestCluster.with { cluster in
            let directory = try TemporaryDirectory(prefix: "tocsin-nats-routing")
            defer { directory.remove() }
            let receiver = try await LoopbackReceiver.start()
            // The discard port: nothing listens there, so every attempt is refused.
            let closed = 9
            try FileManager.default.createDirectory(
                atPath: directory.path + "/rules",
                withIntermediateDirectories: true
            )
            try Data(Self.rules(receiver: receiver.port, closed: closed).utf8)
                .write(to: URL(fileURLWithPath: directory.path + "/rules/routing.yaml"))
            let arguments = ["--rules-dir", directory.path + "/rules", "--allow-target-network", "127.0.0.0/8"]
            try await TocsinNode.withTwo(cluster: cluster, directory: directory.path, arguments: arguments) { a, b in
                try await body(cluster, receiver, a, b)
            }
            await receiver.close()
        }
    }

    /// The event id of each request the receiver got, in order.
    private static func deliveredIDs(_ receiver: LoopbackReceiver) -> [String] {
        receiver.received.compactMap { request in
            (try? JSONParser().parse(request.body))?["id"]?.stringValue
        }
    }

    @Test(
        "Two nodes route and deliver each event once; a failing target's deliveries reach the shared DLQ and are redriven"
    )
    func sharedRoutingAndDeadLetters() async throws {
        try await withNodes { _, receiver, a, b in
            let admin = a.adminKey
            let ids = (0..<40).map { "p-\($0)" }
            for (index, id) in ids.enumerated() {
                let answer = try await (index.isMultiple(of: 2) ? a : b).publish(id: id, key: admin)
                #expect(answer.status == 202, "\(answer.text)")
            }
            let all = try await holds(within: .seconds(30)) { Set(Self.deliveredIDs(receiver)) == Set(ids) }
            #expect(all, "delivered: \(Self.deliveredIDs(receiver).sorted()), logs: \(a.log.suffix(2000))")
            // Nothing more arrives: each event went to the receiver once.
            let extra = try await holds(within: .seconds(3)) { receiver.requests > ids.count }
            #expect(!extra && receiver.requests == ids.count, "\(receiver.requests) requests for \(ids.count) events")

            for id in ["d-1", "d-2", "d-3"] {
                #expect(try await a.publish(id: id, key: admin, type: "test.doomed").status == 202)
            }
            // Read through the other node: the dead-letter queue is shared.
            let letters = try await eventually(timeout: .seconds(60)) { () -> [JSONValue]? in
                let answer = try await b.call("/v1/dlq?target=dead", key: admin)
                guard case .array(let items)? = answer.json?["dead_letters"], items.count == 3 else {
                    return nil
                }
                return items
            }
            for letter in letters {
                #expect(letter["reason"] == .string("max-attempts"))
                #expect(letter["attempts"]?.integer == 2)
                #expect(letter["rule"] == .string("doomed"))
                #expect(letter["error"]?["kind"] != nil)
            }
            // Each dead letter is in the log as a tocsin.delivery.* event too.
            let recorded = try await eventually(timeout: .seconds(10)) { () -> [JSONValue]? in
                let page = try await a.call("/v1/events?type=tocsin.delivery.deadlettered&limit=100", key: admin)
                guard case .array(let events)? = page.json?["events"], events.count >= 3 else {
                    return nil
                }
                return events
            }
            #expect(recorded.count == 3)

            // A redrive through A gives them a fresh budget; they fail again and come back, redriven once.
            let redrive = try await a.call(
                "/v1/dlq/redrive",
                method: .POST,
                key: admin,
                body: Array(#"{"target":"dead"}"#.utf8)
            )
            #expect(redrive.status == 200, "\(redrive.text)")
            let again = try await holds(within: .seconds(60)) {
                let answer = try await b.call("/v1/dlq?target=dead", key: admin)
                guard case .array(let items)? = answer.json?["dead_letters"] else {
                    return false
                }
                return items.count == 3 && items.allSatisfy { $0["redrives"]?.integer == 1 }
            }
            let shown = try await b.call("/v1/dlq?target=dead", key: admin).text
            #expect(again, "\(shown)")

            // Rules come from the rules directory on a cluster: the API refuses to change them.
            let put = try await b.call(
                "/v1/rules/extra",
                method: .PUT,
                key: admin,
                body: Array(#"{"pattern":{"type":["x"]},"targets":[{"target":"hook"}]}"#.utf8)
            )
            #expect(put.status == 409 && put.text.contains("--rules-dir"), "\(put.status) \(put.text)")

            // The shared consumers' lag and redeliveries are on each node's metrics.
            let metrics = try await a.call("/metrics", key: admin).text
            #expect(metrics.contains(#"tocsin_cluster_consumer_pending{node="a",consumer="tocsin-router"}"#))
            #expect(metrics.contains(#"tocsin_cluster_consumer_redelivered{node="a",consumer="tocsin-router"}"#))
        }
    }

    @Test(
        "Killing the stream leader, then a node, under publishing: every acknowledged event is stored once and delivered, the chain verifies, the alerts are one node's"
    )
    func failoverUnderLoad() async throws {
        try await withNodes { cluster, receiver, a, b in
            let admin = a.adminKey
            let acknowledged = Mutex<[String]>([])
            let bIsUp = Mutex(true)
            let publisher = Task {
                var next = 0
                while !Task.isCancelled {
                    let id = "f-\(next)"
                    next += 1
                    // Both nodes take events until B dies; a refused or failed publish is not acknowledged.
                    let node = next.isMultiple(of: 2) && bIsUp.withLock({ $0 }) ? b : a
                    let time = Timestamp(epochMilliseconds: 1_795_000_000_000 + Int64(next) * 1000).description
                    if let answer = try? await node.publish(
                        id: id,
                        key: admin,
                        subject: "user-\(next % 7)",
                        time: time
                    ),
                        answer.status == 202
                    {
                        acknowledged.withLock { $0.append(id) }
                    }
                }
            }
            #expect(try await holds(within: .seconds(30)) { acknowledged.withLock { $0.count } >= 100 })
            let connection = try await cluster.connect()
            let leader = try #require(try await connection.streamInfo("TOCSIN_EVENTS").leader)
            await connection.close()
            try cluster.kill(leader)
            let afterLeader = acknowledged.withLock { $0.count }
            #expect(try await holds(within: .seconds(30)) { acknowledged.withLock { $0.count } >= afterLeader + 100 })
            bIsUp.withLock { $0 = false }
            Foundation.kill(b.process.processIdentifier, SIGKILL)
            let afterNode = acknowledged.withLock { $0.count }
            #expect(try await holds(within: .seconds(30)) { acknowledged.withLock { $0.count } >= afterNode + 100 })
            publisher.cancel()
            _ = await publisher.result

            // B's unacknowledged events and deliveries go to A after the 30 s ack wait.
            let expected = Set(acknowledged.withLock { $0 })
            let delivered = try await holds(within: .seconds(90)) {
                expected.isSubset(of: Set(Self.deliveredIDs(receiver)))
            }
            let missing = expected.subtracting(Self.deliveredIDs(receiver))
            #expect(
                delivered && missing.isEmpty,
                "\(missing.count) of \(expected.count) acknowledged events not delivered: \(missing.sorted().prefix(20)); A's log: \(a.log.suffix(3000))"
            )
            // The key ring may be suspended for a moment while the identities bucket's leader moves.
            let dead = try await eventually(timeout: .seconds(60)) { () -> NodeAnswer? in
                let answer = try await a.call("/v1/dlq", key: admin)
                return answer.status == 200 ? answer : nil
            }
            #expect(dead.json?["dead_letters"] == .array([]), "\(dead.text)")

            // Every acknowledged event is in the stream exactly once.
            let stored = try await Self.events(of: "test.ping", through: a, key: admin)
            let ids = stored.compactMap { $0["event"]?["id"]?.stringValue }
            #expect(Set(ids).count == ids.count, "no event is stored twice")
            #expect(expected.isSubset(of: Set(ids)))
            // The chain verifies, whichever node chained each stretch of it.
            let verified = try await runProgram(
                TocsinExecutable.path,
                ["audit", "verify", "--backend", "nats", "--nats-url", cluster.urls.joined(separator: ",")]
                    + cluster.credentialArguments
                    + ["--signer-key", a.dataDirectory + "/node.pub", "--signer-key", b.dataDirectory + "/node.pub"]
            )
            #expect(verified.status == 0 && verified.output.hasPrefix("OK: "), "\(verified.output)\(verified.errors)")
            // The alerts are those of one set of engines over the stream's events, in stream order.
            let single = try Self.singleNodeAlerts(stored)
            #expect(single.count > 20)
            let settled = try await holds(within: .seconds(60)) {
                try await Self.alerts(through: a, key: admin).count >= single.count
            }
            let raised = try await Self.alerts(through: a, key: admin)
            #expect(settled && raised == single, "\(raised.count) alerts, one node raises \(single.count)")
        }
    }

    /// The events of `type` in the stream, in order, read through `node`.
    private static func events(of type: String, through node: TocsinNode, key: String) async throws -> [JSONValue] {
        var events: [JSONValue] = []
        var after: Int64 = 0
        while true {
            let page = try await node.call("/v1/events?type=\(type)&limit=500&after=\(after)", key: key)
            guard case .array(let batch)? = page.json?["events"] else {
                Issue.record("GET /v1/events answered \(page.status): \(page.text)")
                return events
            }
            events += batch
            guard let next = page.json?["next"]?.integer, !batch.isEmpty else {
                return events
            }
            after = next
        }
    }

    /// The `bursts` alerts in the stream, as `group evidence`, sorted.
    private static func alerts(through node: TocsinNode, key: String) async throws -> [String] {
        try await events(of: "tocsin.alert.raised", through: node, key: key).compactMap { alert in
            guard let data = alert["event"]?["data"], data["rule"] == .string("bursts"),
                case .array(let group)? = data["group"], case .array(let evidence)? = data["evidence"]
            else {
                return nil
            }
            return "\(group.compactMap { $0["value"]?.stringValue }) \(evidence.compactMap(\.integer))"
        }.sorted()
    }

    /// The `bursts` alerts one set of engines raises over `stored` (the stream's events with their
    /// sequences), as `group evidence`, sorted.
    private static func singleNodeAlerts(_ stored: [JSONValue]) throws -> [String] {
        let directory = ConfigDirectory(
            files: [(name: "rules.yaml", text: "rules:\n" + bursts)],
            kinds: TargetKinds([])
        )
        let table = DetectionTable(rules: directory.rules)
        var engines = try DetectionEngines(table: table)
        let context = DetectionContext()
        var alerts: [String] = []
        for entry in stored {
            guard let event = entry["event"], let sequence = entry["seq"]?.integer else {
                continue
            }
            let time = DetectionEngines.time(of: event, fallback: 0)
            for raised in engines.observe(table.evaluate(event, context: context), sequence: sequence, time: time) {
                alerts.append("\(raised.alert.group) \(raised.alert.evidence)")
            }
        }
        return alerts.sorted()
    }
}
#endif
