// SPDX-License-Identifier: Apache-2.0

#if NATS
import Foundation
import NIOHTTP1
import Testing
import TocsinCore
import TocsinNATS
import TocsinTesting

/// Tocsin's NATS account (`scripts/nats-cluster.sh`, `scripts/nats-tocsin-permissions.conf`): a node
/// with the restricted user `tocsin` does all its work without one refusal, and that user, the
/// `auditor` and the account itself are refused what they must not do (docs/scale-out.md, "Security").
@Suite(.serialized, .timeLimit(.minutes(3)))
struct NATSAccountTests {
    @Test("A node with the restricted user ingests, keeps identities, chains, and audit verify passes as auditor")
    func restrictedNodeWorks() async throws {
        try await NATSTestCluster.with { cluster in
            let directory = try TemporaryDirectory(prefix: "tocsin-nats-account")
            defer { directory.remove() }
            let data = directory.path + "/data"
            let node = try await TocsinNode.start(name: "r", cluster: cluster, dataDirectory: data)
            try await node.stopping {
                for index in 0..<5 {
                    #expect(try await node.publish(id: "r-\(index)", key: node.adminKey).status == 202)
                }
                let created = try await node.call(
                    "/v1/keys",
                    method: .POST,
                    key: node.adminKey,
                    body: Array(#"{"name":"producer","roles":["publisher"]}"#.utf8)
                )
                #expect(created.status == 201, "\(created.text)")
                let key = try #require(created.json?["key"]?.stringValue)
                #expect(try await node.publish(id: "r-5", key: key).status == 202)
                let revoked = try await node.call("/v1/keys/producer", method: .DELETE, key: node.adminKey)
                #expect(revoked.status == 204, "\(revoked.text)")
                #expect(try await node.publish(id: "r-6", key: key).status == 401)
                let page = try await node.call("/v1/events?type=test.ping&limit=100", key: node.adminKey)
                let events = page.json?["events"].flatMap { value -> [JSONValue]? in
                    if case .array(let items) = value { return items }
                    return nil
                }
                #expect(events?.count == 6, "\(page.text)")
                let chained = try await holds(within: .seconds(30)) {
                    let metrics = try await node.call("/metrics", key: node.adminKey).text
                    return metrics.contains(#"tocsin_cluster_chain_lease_held{node="r"} 1"#)
                        && metrics.contains(#"tocsin_cluster_chain_unchained_records{node="r"} 0"#)
                }
                #expect(chained, "the node did not chain the stream: \(node.log)")
            }

            let verified = try await runProgram(
                TocsinExecutable.path,
                ["audit", "verify", "--backend", "nats", "--nats-url", cluster.urls.joined(separator: ",")]
                    + cluster.credentialArguments(user: "auditor") + ["--signer-key", data + "/node.pub"]
            )
            #expect(verified.status == 0, "\(verified.output)\(verified.errors)")
            #expect(verified.output.hasPrefix("OK: "), "\(verified.output)")
            // Anything the allow lists missed would show here: libnats retries a refused request
            // until it times out, so a node can look healthy while the servers refuse it.
            let violations = cluster.serverLogs().split(separator: "\n").filter { $0.contains("Violation") }
            #expect(violations.isEmpty, "\(violations.joined(separator: "\n"))")
        }
    }

    @Test("The restricted user cannot publish, subscribe or call the JetStream API outside its lists")
    func restrictedUserIsRefused() async throws {
        try await NATSTestCluster.with(refusesTocsin: true) { cluster in
            let admin = try await cluster.connect(user: "tocsin-admin")
            let tocsin = try await cluster.connect()
            // Tocsin's stream exists, and a stream of the same account that is not Tocsin's takes
            // the account's unrestricted user's publishes.
            let log = try await JetStreamEventLog.open(connection: tocsin, configuration: JetStreamLogConfiguration()) {
                1_000
            }
            _ = try await log.append([CloudEvent(id: "kept", source: "test/account", type: "x.y")])
            try await admin.ensureStream(NATSStreamConfiguration(name: "OTHER", subjects: ["other.>"], replicas: 3))
            _ = try await admin.publish(NATSOutgoingMessage(subject: "other.subject", payload: [1], messageID: "a"))

            await #expect(throws: (any Error).self) {
                try await tocsin.publish(NATSOutgoingMessage(subject: "other.subject", payload: [2], messageID: "b"))
            }
            await #expect(throws: (any Error).self) { try await tocsin.streamInfo("OTHER") }
            await #expect(throws: (any Error).self) {
                try await tocsin.ensureStream(NATSStreamConfiguration(name: "EVIL", subjects: ["evil.>"], replicas: 1))
            }
            await #expect(throws: (any Error).self) {
                try await tocsin.deleteMessage(stream: "TOCSIN_EVENTS", sequence: 1)
            }
            await #expect(throws: (any Error).self) { try await tocsin.deleteStream("TOCSIN_EVENTS") }
            await #expect(throws: (any Error).self) {
                try await tocsin.publish(
                    NATSOutgoingMessage(subject: "$SYS.REQ.SERVER.PING", payload: [], messageID: "c")
                )
            }
            _ = try await tocsin.subscribe("$SYS.>")
            for (kind, subject) in [
                ("Publish", "other.subject"), ("Publish", "$JS.API.STREAM.INFO.OTHER"),
                ("Publish", "$JS.API.STREAM.CREATE.EVIL"), ("Publish", "$JS.API.STREAM.MSG.DELETE.TOCSIN_EVENTS"),
                ("Publish", "$JS.API.STREAM.DELETE.TOCSIN_EVENTS"), ("Publish", "$SYS.REQ.SERVER.PING"),
                ("Subscription", "$SYS.>"),
            ] {
                #expect(
                    try await Self.refused(cluster, kind, user: "tocsin", subject),
                    "\(kind) \(subject) was not refused"
                )
            }
            // Nothing of it happened.
            #expect(try await admin.streamInfo("OTHER").lastSequence == 1)
            #expect(try await admin.streamInfo("TOCSIN_EVENTS").lastSequence == 1)
            #expect(try await admin.message(stream: "TOCSIN_EVENTS", sequence: 1) != nil)
            await #expect(throws: NATSError.self) { try await admin.streamInfo("EVIL") }
            await tocsin.close()
            await admin.close()
        }
    }

    @Test("The auditor reads the log and the chain store only: no publish, no identities")
    func auditorIsReadOnly() async throws {
        try await NATSTestCluster.with { cluster in
            let auditor = try await cluster.connect(user: "auditor")
            await #expect(throws: (any Error).self) {
                try await auditor.publish(NATSOutgoingMessage(subject: "tocsin.events.x", payload: [1], messageID: "a"))
            }
            await #expect(throws: (any Error).self) {
                try await auditor.keyValue(NATSKeyValueConfiguration(bucket: "tocsin-identities", replicas: 3))
            }
            #expect(try await Self.refused(cluster, "Publish", user: "auditor", "tocsin.events.x"))
            #expect(
                try await Self.refused(
                    cluster,
                    "Publish",
                    user: "auditor",
                    "$JS.API.STREAM.CREATE.KV_tocsin-identities"
                )
            )
            await auditor.close()
        }
    }

    @Test("Another account's stream is out of reach of Tocsin's account, and Tocsin's of the other's")
    func otherAccountIsInvisible() async throws {
        try await NATSTestCluster.with(guestAccount: true, refusesTocsin: true) { cluster in
            let guest = try await cluster.connect(user: "guest")
            try await guest.ensureStream(
                NATSStreamConfiguration(name: "GUEST_EVENTS", subjects: ["guest.>"], replicas: 3)
            )
            _ = try await guest.publish(NATSOutgoingMessage(subject: "guest.secret", payload: [7], messageID: "g"))
            #expect(try await guest.message(stream: "GUEST_EVENTS", sequence: 1)?.payload == [7])
            let tocsin = try await cluster.connect()
            let log = try await JetStreamEventLog.open(connection: tocsin, configuration: JetStreamLogConfiguration()) {
                1_000
            }
            _ = try await log.append([CloudEvent(id: "mine", source: "test/account", type: "x.y")])

            // Even the account's unrestricted user finds no such stream, reads nothing and cannot
            // publish into it; Tocsin's user is refused the request outright.
            let admin = try await cluster.connect(user: "tocsin-admin")
            await #expect(throws: NATSError.self) { try await admin.streamInfo("GUEST_EVENTS") }
            let read = try? await admin.message(stream: "GUEST_EVENTS", sequence: 1)
            #expect(read == nil)
            await #expect(throws: (any Error).self) {
                try await admin.publish(NATSOutgoingMessage(subject: "guest.secret", payload: [8], messageID: "t"))
            }
            await #expect(throws: (any Error).self) { try await tocsin.streamInfo("GUEST_EVENTS") }
            #expect(try await Self.refused(cluster, "Publish", user: "tocsin", "$JS.API.STREAM.INFO.GUEST_EVENTS"))
            #expect(try await guest.streamInfo("GUEST_EVENTS").lastSequence == 1)
            await #expect(throws: NATSError.self) { try await guest.streamInfo("TOCSIN_EVENTS") }
            for connection in [guest, tocsin, admin] {
                await connection.close()
            }
        }
    }

    /// Whether the servers logged that they refused `user` the `kind` (`Publish` or `Subscription`)
    /// on `subject`.
    private static func refused(
        _ cluster: NATSTestCluster,
        _ kind: String,
        user: String,
        _ subject: String
    )
        async throws -> Bool
    {
        try await holds(within: .seconds(10)) {
            cluster.serverLogs().contains(#"\#(kind) Violation - User "\#(user)", Subject "\#(subject)""#)
        }
    }
}
#endif
