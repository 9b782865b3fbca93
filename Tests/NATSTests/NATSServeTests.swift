// SPDX-License-Identifier: Apache-2.0

#if NATS
import Foundation
import NIOHTTP1
import Synchronization
import Testing
import TocsinCore
import TocsinNATS
import TocsinStore
import TocsinTesting

/// Two real `tocsin serve --backend nats` nodes on a real 3-node cluster (docs/scale-out.md).
@Suite("tocsin serve --backend nats", .serialized, .timeLimit(.minutes(3)))
struct NATSServeTests {
    /// Runs `body` with a cluster and two nodes, `a` (which creates the admin identity) and `b`.
    private func withNodes(
        arguments: [String] = [],
        _ body: (NATSTestCluster, TocsinNode, TocsinNode) async throws -> Void
    ) async throws {
        try await NATSTestCluster.with { cluster in
            let directory = try TemporaryDirectory(prefix: "tocsin-nats-serve")
            defer { directory.remove() }
            try await TocsinNode.withTwo(cluster: cluster, directory: directory.path, arguments: arguments) { a, b in
                try await body(cluster, a, b)
            }
        }
    }

    @Test("Two nodes share the stream and the identities: reads, duplicates and a revocation within 1 s")
    func sharedStreamAndIdentities() async throws {
        try await withNodes { cluster, a, b in
            let admin = a.adminKey
            #expect(admin.hasPrefix("tsk_"))
            #expect(!FileManager.default.fileExists(atPath: b.dataDirectory + "/admin.key"))
            #expect(try await a.call("/readyz", key: admin).status == 200)
            #expect(try await b.call("/readyz", key: admin).status == 200)

            // Published on A, read through B (direct gets may trail the ack by a moment).
            let published = try await a.publish(id: "e-1", key: admin)
            #expect(published.status == 202, "\(published.text)")
            let sequence = try #require(published.json?["seq"]?.integer)
            let read = try await eventually(timeout: .seconds(10)) { () -> NodeAnswer? in
                let answer = try await b.call("/v1/events/\(sequence)", key: admin)
                return answer.status == 200 ? answer : nil
            }
            #expect(read.json?["event"]?["id"]?.stringValue == "e-1")

            // The same event through B is acknowledged as a duplicate and stored once.
            let again = try await b.publish(id: "e-1", key: admin)
            #expect(again.status == 202)
            #expect(again.json?["duplicate"] == .bool(true))
            #expect(again.json?["seq"]?.integer == sequence)
            let page = try await b.call("/v1/events?type=test.ping&limit=100", key: admin)
            let events = page.json?["events"].flatMap { value -> [JSONValue]? in
                if case .array(let items) = value { return items }
                return nil
            }
            #expect(events?.filter { $0["event"]?["id"]?.stringValue == "e-1" }.count == 1, "\(page.text)")

            // A key created on A works on B; revoked on A, B refuses it within a second.
            let created = try await a.call(
                "/v1/keys",
                method: .POST,
                key: admin,
                body: Array(#"{"name":"producer","roles":["publisher"]}"#.utf8)
            )
            #expect(created.status == 201, "\(created.text)")
            let key = try #require(created.json?["key"]?.stringValue)
            #expect(try await holds(within: .seconds(5)) { try await b.publish(id: "e-2", key: key).status == 202 })
            let revoked = try await a.call("/v1/keys/producer", method: .DELETE, key: admin)
            #expect(revoked.status == 200 || revoked.status == 204, "\(revoked.text)")
            let refused = try await holds(within: .seconds(1)) {
                try await b.publish(id: "e-3", key: key).status == 401
            }
            #expect(refused, "node B still accepted the revoked key a second after the revocation")

            // A key rotated on B without grace: A takes the new key and refuses the old one.
            let reader = try await b.call(
                "/v1/keys",
                method: .POST,
                key: admin,
                body: Array(#"{"name":"reader","roles":["reader"]}"#.utf8)
            )
            let oldKey = try #require(reader.json?["key"]?.stringValue)
            #expect(try await holds(within: .seconds(5)) { try await a.call("/v1/events", key: oldKey).status == 200 })
            let rotated = try await b.call("/v1/keys/reader/rotate", method: .POST, key: admin)
            #expect(rotated.status == 200, "\(rotated.text)")
            let newKey = try #require(rotated.json?["key"]?.stringValue)
            #expect(
                try await holds(within: .seconds(5)) {
                    let fresh = try await a.call("/v1/events", key: newKey).status
                    let stale = try await a.call("/v1/events", key: oldKey).status
                    return fresh == 200 && stale == 401
                }
            )

            // The key events are in the stream, readable from either node.
            let keyEvents = try await eventually(timeout: .seconds(10)) { () -> [JSONValue]? in
                let answer = try await b.call("/v1/events?source=/tocsin/keys&limit=100", key: admin)
                guard case .array(let items)? = answer.json?["events"], items.count >= 4 else { return nil }
                return items
            }
            #expect(
                keyEvents.compactMap { $0["event"]?["type"]?.stringValue } == [
                    "tocsin.key.created", "tocsin.key.revoked", "tocsin.key.created", "tocsin.key.rotated",
                ]
            )

            let metrics = try await a.call("/metrics", key: admin)
            #expect(metrics.text.contains(#"tocsin_cluster_stream_leader_known{node="a"} 1"#), "\(metrics.text)")
            #expect(metrics.text.contains(#"tocsin_cluster_identities_suspended{node="a"} 0"#), "\(metrics.text)")
            // Exactly one of the two nodes holds the chain lease.
            let holders = try await holds(within: .seconds(30)) {
                var held = 0
                for (node, name) in [(a, "a"), (b, "b")] {
                    let text = try await node.call("/metrics", key: admin).text
                    held += text.contains(#"tocsin_cluster_chain_lease_held{node="\#(name)"} 1"#) ? 1 : 0
                }
                return held == 1
            }
            #expect(holders, "not exactly one chain lease holder in the nodes' metrics")

            // One of the two nodes chains the stream; the chain verifies against both nodes' keys.
            let last = try #require(keyEvents.last?["seq"]?.integer)
            let connection = try await cluster.connect()
            let keys = try [a, b].map { try KeyFiles.loadPublicKey(from: $0.dataDirectory + "/node.pub") }
            let chained = try await eventually(timeout: .seconds(30)) { () -> ChainVerificationReport? in
                let report = try await ChainStoreVerifier.verify(
                    connection: connection,
                    configuration: ChainServiceConfiguration(),
                    trustedKeys: keys
                )
                return report.lastChainedSequence >= last || report.failure != nil ? report : nil
            }
            #expect(chained.failure == nil, "\(String(describing: chained.failure))")
            #expect(chained.verifiedRecords >= last)
            await connection.close()
        }
    }

    @Test("Killing the stream leader: every publish is 202 or 503 with Retry-After, each event stored once")
    func leaderKill() async throws {
        try await withNodes(arguments: ["--nats-publish-wait-seconds", "3"]) { cluster, a, b in
            let admin = a.adminKey
            let publishes = PublishLog()
            let publisher = Task {
                var next = 0
                while !Task.isCancelled {
                    next += 1
                    let node = next.isMultiple(of: 2) ? a : b
                    let answer = try await node.publish(id: "f-\(next)", key: admin, type: "load.tick")
                    publishes.record(id: "f-\(next)", answer)
                }
            }
            #expect(try await holds(within: .seconds(20)) { publishes.acknowledged.count >= 50 })
            let connection = try await cluster.connect()
            let leader = try #require(try await connection.streamInfo("TOCSIN_EVENTS").leader)
            try cluster.kill(leader)
            let beforeKill = publishes.acknowledged.count
            let resumed = try await holds(within: .seconds(30)) { publishes.acknowledged.count >= beforeKill + 50 }
            publisher.cancel()
            let outcome = await publisher.result
            #expect(
                resumed,
                "publishing did not resume after the leader was killed: \(outcome)\nnode a: \(a.log.suffix(4000))\nnode b: \(b.log.suffix(4000))"
            )
            #expect(
                publishes.unexpected.isEmpty,
                "answers other than 202 or 503 with Retry-After: \(publishes.unexpected)"
            )

            // Opening ensures the stream, which waits for the meta leader the kill may have taken.
            let log = try await eventually(timeout: .seconds(30)) {
                try? await JetStreamEventLog.open(connection: connection) { 0 }
            }
            var stored: [String: [Int64]] = [:]
            let complete = try await holds(within: .seconds(15)) {
                stored = try await Self.scan(log)
                return publishes.acknowledged.allSatisfy { stored[$0.key] == [$0.value] }
            }
            #expect(complete, "acknowledged events missing or not at their acknowledged sequence")
            #expect(stored.values.allSatisfy { $0.count == 1 }, "an event is stored more than once")
            await connection.close()

            // With the whole cluster gone the node is not ready, and a publish is refused with 503.
            await cluster.stop()
            let notReady = try await eventually(timeout: .seconds(15)) { () -> NodeAnswer? in
                let answer = try await a.call("/readyz", key: admin)
                return answer.status == 503 ? answer : nil
            }
            #expect(notReady.json?["detail"]?.stringValue?.isEmpty == false, "\(notReady.text)")
            #expect(notReady.retryAfter != nil)
            let refused = try await b.publish(id: "g-1", key: admin)
            #expect(refused.status == 503, "\(refused.text)")
            #expect(refused.retryAfter.flatMap(Int.init).map { $0 >= 1 } == true)
        }
    }

    /// Every event in the stream: event id → the sequences it is stored at.
    private static func scan(_ log: JetStreamEventLog) async throws -> [String: [Int64]] {
        var stored: [String: [Int64]] = [:]
        var cursor: Int64 = 0
        while true {
            let page = try await log.query(EventQuery(after: cursor, limit: 1000))
            for logged in page.events {
                stored[logged.event.id, default: []].append(logged.sequence)
            }
            guard let next = page.nextCursor else {
                return stored
            }
            cursor = next
        }
    }
}

/// What the publisher saw: acknowledged ids with their sequences, and every unexpected answer.
private final class PublishLog: Sendable {
    private let state = Mutex<(acknowledged: [String: Int64], unexpected: [String])>(([:], []))

    var acknowledged: [String: Int64] {
        state.withLock { $0.acknowledged }
    }

    var unexpected: [String] {
        state.withLock { $0.unexpected }
    }

    func record(id: String, _ answer: NodeAnswer) {
        state.withLock { state in
            if answer.status == 202, let sequence = answer.json?["seq"]?.integer {
                state.acknowledged[id] = sequence
            } else if answer.status == 503, let wait = answer.retryAfter.flatMap(Int.init), wait >= 1 {
                return
            } else {
                state.unexpected.append("\(id): \(answer.status) \(answer.text.prefix(200))")
            }
        }
    }
}

extension NATSServeTests {
    @Test("Two nodes creating identities for one certificate name at once: exactly one succeeds")
    func certificateNamesStayUnique() async throws {
        try await withNodes { _, a, b in
            let admin = a.adminKey
            for round in 0..<3 {
                let first = Array(#"{"name":"a-\#(round)","roles":["reader"],"certificate_cn":"cn-\#(round)"}"#.utf8)
                let second = Array(#"{"name":"b-\#(round)","roles":["reader"],"certificate_cn":"cn-\#(round)"}"#.utf8)
                async let onA = a.call("/v1/keys", method: .POST, key: admin, body: first)
                async let onB = b.call("/v1/keys", method: .POST, key: admin, body: second)
                let statuses = try await [onA.status, onB.status].sorted()
                #expect(statuses == [201, 409], "round \(round): \(statuses)")
            }
        }
    }

    @Test("Key administration while the identities bucket has no quorum answers 503 with Retry-After, never 500")
    func administrationWithoutQuorum() async throws {
        try await withNodes { cluster, a, _ in
            let admin = a.adminKey
            let created = try await a.call(
                "/v1/keys",
                method: .POST,
                key: admin,
                body: Array(#"{"name":"ops","roles":["reader"]}"#.utf8)
            )
            #expect(created.status == 201, "\(created.text)")
            try cluster.kill("n2")
            try cluster.kill("n3")
            var statuses: Set<Int> = []
            let unavailable = try await holds(within: .seconds(60)) {
                let answer = try await a.call("/v1/keys/ops/rotate", method: .POST, key: admin, body: Array("{}".utf8))
                statuses.insert(answer.status)
                return answer.status == 503 && answer.retryAfter != nil
            }
            #expect(unavailable, "\(statuses.sorted())")
            #expect(!statuses.contains(500), "\(statuses.sorted())")
        }
    }
}
#endif
