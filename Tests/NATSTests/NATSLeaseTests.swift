// SPDX-License-Identifier: Apache-2.0

#if NATS
import Logging
import Synchronization
import Testing
import TocsinCluster
import TocsinCore
import TocsinNATS
import TocsinTesting

/// The changes one lease driver reported, in order.
private final class Changes: Sendable {
    private let seen = Mutex<[LeaseDriver.Change]>([])

    var all: [LeaseDriver.Change] { seen.withLock { $0 } }

    func record(_ change: LeaseDriver.Change) {
        seen.withLock { $0.append(change) }
    }
}

@Suite("Lease driver and chain record encoding", .serialized, .timeLimit(.minutes(2)))
struct NATSLeaseTests {
    @Test("A released lease moves to the waiting node at once, long before it would have expired")
    func releaseHandsOver() async throws {
        try await NATSTestCluster.with { cluster in
            let connection = try await cluster.connect(user: "tocsin-admin")
            let bucket = try await connection.keyValue(NATSKeyValueConfiguration(bucket: "leases", replicas: 3))
            // A 60 s lease: the second driver can only win it this fast through the release and the watch.
            let timing = LeaseElection.Configuration(ttlMilliseconds: 60_000, renewEveryMilliseconds: 1_000)
            let first = LeaseDriver(
                bucket: bucket,
                key: "chain",
                candidate: "a/1",
                configuration: timing,
                clock: SystemWallClock(),
                logger: Logger(label: "a")
            )
            let second = LeaseDriver(
                bucket: bucket,
                key: "chain",
                candidate: "b/1",
                configuration: timing,
                clock: SystemWallClock(),
                logger: Logger(label: "b")
            )
            let firstChanges = Changes()
            let secondChanges = Changes()
            let runningFirst = Task { await first.run { firstChanges.record($0) } }
            #expect(try await holds(within: .seconds(20)) { first.isLeading() })
            let runningSecond = Task { await second.run { secondChanges.record($0) } }
            first.shutdown()
            await runningFirst.value
            #expect(firstChanges.all.last == .stepDown(.shutdown))
            #expect(try await holds(within: .seconds(20)) { second.isLeading() })
            #expect(!first.isLeading())
            runningSecond.cancel()
            await runningSecond.value
            let record = try #require(try await bucket.get("chain"))
            #expect(String(decoding: record.value, as: UTF8.self).contains(#""holder":"b/1""#))
            await connection.close()
        }
    }

    @Test("A chain record survives its wire encoding, with and without a checkpoint; a truncated one is refused")
    func chainRecordEncoding() throws {
        let hashes = (1...3).map { [UInt8](repeating: UInt8($0), count: 32) }
        let plain = ChainStoreRecord(
            record: ChainRecord(
                firstSequence: 41,
                previousHash: HashChain.genesis,
                hashes: hashes,
                checkpoint: nil,
                lastCheckpointSequence: 40,
                lastCheckpointMilliseconds: 1_700_000_000_000
            )
        )
        let signed = ChainStoreRecord(
            record: ChainRecord(
                firstSequence: 44,
                previousHash: hashes[2],
                hashes: [],
                checkpoint: ChainCheckpoint(sequence: 43, hash: hashes[2], signedMilliseconds: 1_700_000_060_000),
                lastCheckpointSequence: 43,
                lastCheckpointMilliseconds: 1_700_000_060_000
            ),
            signature: [UInt8](repeating: 9, count: 64),
            signer: [UInt8](repeating: 8, count: 32)
        )
        #expect(ChainStoreRecord(bytes: plain.bytes) == plain)
        #expect(ChainStoreRecord(bytes: signed.bytes) == signed)
        #expect(ChainStoreRecord(bytes: Array(signed.bytes.dropLast())) == nil)
        #expect(ChainStoreRecord(bytes: plain.bytes + [0]) == nil)
        // Out-of-range sequences and times, which would overflow the chainer's arithmetic, are refused.
        for (first, checkpoint, milliseconds) in [
            (Int64.min, Int64(40), Int64(0)), (-2, 40, 0), (Int64.max, 40, 0), (41, -1, 0), (41, 40, Int64.max),
        ] {
            var record = plain.record
            record.firstSequence = first
            record.lastCheckpointSequence = checkpoint
            record.lastCheckpointMilliseconds = milliseconds
            #expect(ChainStoreRecord(bytes: ChainStoreRecord(record: record).bytes) == nil, "\(first) \(checkpoint)")
        }
    }
}
#endif
