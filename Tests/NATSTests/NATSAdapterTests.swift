// SPDX-License-Identifier: Apache-2.0

#if NATS
import Synchronization
import Testing
import TocsinCore
import TocsinNATS
import TocsinTesting

@Suite("NATS adapter against a real 3-node cluster", .serialized, .timeLimit(.minutes(2)))
struct NATSAdapterTests {
    @Test("A KV update at a stale revision is refused, and so is creating an existing key")
    func keyValueCompareAndSet() async throws {
        try await NATSTestCluster.with { cluster in
            // A bucket other than Tocsin's: the account's unrestricted user.
            let connection = try await cluster.connect(user: "tocsin-admin")
            let bucket = try await connection.keyValue(
                NATSKeyValueConfiguration(bucket: "leases", history: 5, ttl: .seconds(30), replicas: 3)
            )
            let changes = try await bucket.watch("lease.>")
            let first = try await bucket.create("lease.chain", value: Array("node-a".utf8))
            await #expect(throws: NATSError.self) {
                try await bucket.create("lease.chain", value: Array("node-b".utf8))
            }
            let second = try await bucket.update("lease.chain", value: Array("node-a".utf8), revision: first)
            #expect(second > first)
            do {
                _ = try await bucket.update("lease.chain", value: Array("node-b".utf8), revision: first)
                Issue.record("a stale revision was accepted")
            } catch let error as NATSError {
                #expect(error.code == .wrongRevision)
            }
            let current = try #require(try await bucket.get("lease.chain"))
            #expect(current.revision == second && current.value == Array("node-a".utf8))
            try await bucket.delete("lease.chain")
            #expect(try await bucket.get("lease.chain") == nil)
            var seen: [String] = []
            for try await change in changes {
                guard case .entry(let entry) = change else {
                    seen.append("caught up")
                    continue
                }
                seen.append("\(entry.operation)")
                if entry.operation == .delete {
                    break
                }
            }
            // The bucket was empty when the watch started: it is caught up before the first change.
            #expect(seen == ["caught up", "put", "put", "delete"])
            await bucket.close()
            await connection.close()
        }
    }

    @Test("The same event appended twice, through two nodes, is stored once; the second receipt is a duplicate")
    func publishDeduplicates() async throws {
        try await NATSTestCluster.with { cluster in
            let viaFirst = try await NATSConnection.connect(try cluster.configuration(servers: [cluster.urls[0]]))
            let viaThird = try await NATSConnection.connect(try cluster.configuration(servers: [cluster.urls[2]]))
            let configuration = JetStreamLogConfiguration(replicas: 3)
            let logA = try await JetStreamEventLog.open(connection: viaFirst, configuration: configuration) { 1_000 }
            let logB = try await JetStreamEventLog.open(connection: viaThird, configuration: configuration) { 2_000 }
            let event = CloudEvent(
                id: "e-1",
                source: "sensor/a",
                type: "auth.login.failed",
                subject: "alice",
                data: .json(Array(#"{"user":"alice"}"#.utf8))
            )
            let other = CloudEvent(id: "e-1", source: "sensor/b", type: "auth.login.ok")
            let first = try await logA.append([event, other])
            let second = try await logB.append([event])
            #expect(
                first == [
                    AppendReceipt(sequence: 1, isDuplicate: false), AppendReceipt(sequence: 2, isDuplicate: false),
                ]
            )
            #expect(second == [AppendReceipt(sequence: 1, isDuplicate: true)])
            #expect(try await logB.lastSequence() == 2)
            let stored = try #require(try await logB.event(at: 1))
            #expect(stored.event == event && stored.ingestMilliseconds == 1_000)
            let page = try await logA.query(EventQuery(type: "auth.login.ok"))
            #expect(page.events.map(\.sequence) == [2] && page.nextCursor == nil)
            let bySource = try await logA.query(EventQuery(source: "sensor/a"))
            #expect(bySource.events.map(\.sequence) == [1])
            await viaFirst.close()
            await viaThird.close()
        }
    }

    @Test("A message nak'ed up to max-deliver is given up with a MAX_DELIVERIES advisory")
    func maxDeliveriesAdvisory() async throws {
        try await NATSTestCluster.with { cluster in
            let connection = try await cluster.connect(user: "tocsin-admin")
            try await connection.ensureStream(NATSStreamConfiguration(name: "WORK", subjects: ["work.>"], replicas: 3))
            let advisories = try await connection.maxDeliveriesAdvisories(stream: "WORK", consumer: "router")
            let consumer = try await connection.pullConsumer(
                stream: "WORK",
                NATSConsumerConfiguration(
                    durable: "router",
                    filterSubject: "work.>",
                    ackWait: .seconds(5),
                    maxDeliver: 2
                )
            )
            let ack = try await connection.publish(
                NATSOutgoingMessage(subject: "work.a", payload: [1, 2, 3], messageID: "w-1")
            )
            var deliveries: [UInt64] = []
            let delivered = try await holds(within: .seconds(20)) {
                for message in try await consumer.fetch(batch: 10, timeout: .milliseconds(500)) {
                    #expect(message.streamSequence == ack.sequence && message.payload == [1, 2, 3])
                    deliveries.append(message.deliveries)
                    try message.nak()
                }
                return deliveries.count >= 2
            }
            #expect(delivered && deliveries == [1, 2])
            // The server gives up on the message, and advises, when a pull request would have redelivered
            // it: keep pulling (nothing may come) until the advisory arrives.
            let received = FirstValue<NATSMaxDeliveriesAdvisory>()
            let listener = Task {
                for await advisory in advisories {
                    received.set(advisory)
                    return
                }
            }
            var redelivered: [UInt64] = []
            let advised = try await holds(within: .seconds(20)) {
                redelivered += try await consumer.fetch(batch: 10, timeout: .milliseconds(300)).map(\.deliveries)
                return received.value != nil
            }
            listener.cancel()
            #expect(
                advised
                    && received.value
                        == NATSMaxDeliveriesAdvisory(
                            stream: "WORK",
                            consumer: "router",
                            streamSequence: 1,
                            deliveries: 2
                        )
            )
            #expect(redelivered.isEmpty)
            await consumer.close()
            await connection.close()
        }
    }
}
/// The first value some task saw, readable from another.
private final class FirstValue<Value: Sendable>: Sendable {
    private let stored = Mutex<Value?>(nil)

    var value: Value? {
        stored.withLock { $0 }
    }

    func set(_ value: Value) {
        stored.withLock { $0 = $0 ?? value }
    }
}
#endif
