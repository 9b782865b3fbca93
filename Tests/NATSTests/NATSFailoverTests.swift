// SPDX-License-Identifier: Apache-2.0

#if NATS
import Synchronization
import Testing
import TocsinCore
import TocsinNATS
import TocsinTesting

/// The appends the publisher saw acknowledged: event id → sequence.
private final class AcknowledgedAppends: Sendable {
    private let sequences = Mutex<[String: Int64]>([:])

    var count: Int {
        sequences.withLock { $0.count }
    }

    var all: [String: Int64] {
        sequences.withLock { $0 }
    }

    func record(_ ids: [String], _ receipts: [AppendReceipt]) {
        sequences.withLock { sequences in
            for (id, receipt) in zip(ids, receipts) {
                sequences[id] = receipt.sequence
            }
        }
    }
}

/// Every event in the stream: event id → sequence, and how many ids occur more than once.
private struct StreamScan {
    var stored: [String: Int64]
    var storedTwice: Int

    static func read(_ log: JetStreamEventLog) async throws -> StreamScan {
        var scan = StreamScan(stored: [:], storedTwice: 0)
        var cursor: Int64 = 0
        while true {
            let page = try await log.query(EventQuery(after: cursor, limit: 1000))
            for logged in page.events where scan.stored.updateValue(logged.sequence, forKey: logged.event.id) != nil {
                scan.storedTwice += 1
            }
            guard let next = page.nextCursor else {
                return scan
            }
            cursor = next
        }
    }
}

@Suite("JetStream event log under a leader failover", .serialized, .timeLimit(.minutes(2)))
struct NATSFailoverTests {
    @Test("Killing the stream leader while appending loses no acknowledged event and stores none twice")
    func leaderKillUnderPublishing() async throws {
        try await NATSTestCluster.with { cluster in
            let connection = try await cluster.connect()
            let log = try await JetStreamEventLog.open(
                connection: connection,
                configuration: JetStreamLogConfiguration(replicas: 3, maxRetryWait: .seconds(30))
            ) { 0 }
            let acknowledged = AcknowledgedAppends()
            let publisher = Task {
                var next = 0
                while !Task.isCancelled {
                    let batch = (next..<next + 10).map { CloudEvent(id: "e-\($0)", source: "load", type: "load.tick") }
                    next += 10
                    let receipts = try await log.append(batch)
                    acknowledged.record(batch.map(\.id), receipts)
                }
            }
            #expect(try await holds(within: .seconds(20)) { acknowledged.count >= 500 })
            let leader = try #require(try await connection.streamInfo("TOCSIN_EVENTS").leader)
            try cluster.kill(leader)
            let beforeKill = acknowledged.count
            let resumed = try await holds(within: .seconds(25)) { acknowledged.count >= beforeKill + 500 }
            publisher.cancel()
            let outcome = await publisher.result
            #expect(resumed, "publishing did not resume after the leader was killed: \(outcome)")

            // Direct gets are answered by any replica, which may lag the acknowledgement by a moment: scan
            // again until the stream holds every acknowledged event (or the wait ends).
            var scan = StreamScan(stored: [:], storedTwice: 0)
            let complete = try await holds(within: .seconds(15)) {
                scan = try await StreamScan.read(log)
                return acknowledged.all.allSatisfy { scan.stored[$0.key] == $0.value }
            }
            let missing = acknowledged.all.filter { scan.stored[$0.key] != $0.value }
            #expect(
                complete && missing.isEmpty,
                "\(missing.count) acknowledged events are not at their acknowledged sequence"
            )
            #expect(scan.storedTwice == 0)
            #expect(acknowledged.count > beforeKill)
            await connection.close()
        }
    }
}
#endif
