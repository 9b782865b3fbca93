// SPDX-License-Identifier: Apache-2.0

#if NATS
import Crypto
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import TocsinCluster
import TocsinCore
import TocsinNATS
import TocsinTesting

/// Short leases and small records, so a failover and many records fit in a few seconds.
private let fastChain = ChainServiceConfiguration(
    lease: LeaseElection.Configuration(
        ttlMilliseconds: 3000,
        renewEveryMilliseconds: 500,
        maxClockSkewMilliseconds: 200,
        stepDownMarginMilliseconds: 300,
        retryMilliseconds: 100
    ),
    chainer: ClusterChainer.Configuration(
        maxMessagesPerRecord: 64,
        checkpointEveryRecords: 200,
        checkpointIntervalMilliseconds: 1000,
        idleMilliseconds: 20,
        retryMilliseconds: 100
    )
)

/// The newest sequence the publisher saw acknowledged.
private final class Acknowledged: Sendable {
    private let sequence = Mutex<Int64>(0)

    var last: Int64 { sequence.withLock { $0 } }

    func record(_ receipts: [AppendReceipt]) {
        sequence.withLock { $0 = max($0, receipts.map(\.sequence).max() ?? 0) }
    }
}

/// Appends batches of 10 events, about 50 batches a second, until cancelled; counts what was acknowledged.
private func publish(_ log: JetStreamEventLog, prefix: String, acknowledged: Acknowledged) async {
    var batch = 0
    while !Task.isCancelled {
        let events = (0..<10).map {
            CloudEvent(
                id: "\(prefix)-\(batch)-\($0)",
                source: "test/chain",
                type: "auth.login.failed",
                subject: "u\($0)"
            )
        }
        if let receipts = try? await log.append(events) {
            acknowledged.record(receipts)
        }
        batch += 1
        // Paced, so the chainer (a direct get per message) keeps up on a loaded 2-core machine.
        try? await Task.sleep(for: .milliseconds(20))
    }
}

@Suite("The hash chain on a real 3-node cluster", .serialized, .timeLimit(.minutes(3)))
struct NATSChainTests {
    @Test("A crashed chainer is replaced after its lease expires: one chain, no fork, no skipped sequence")
    func failoverKeepsOneChain() async throws {
        try await NATSTestCluster.with { cluster in
            let producer = try await NATSConnection.connect(try cluster.configuration(servers: [cluster.urls[2]]))
            let first = try await NATSConnection.connect(try cluster.configuration(servers: [cluster.urls[0]]))
            let second = try await NATSConnection.connect(try cluster.configuration(servers: [cluster.urls[1]]))
            let keys = [Curve25519.Signing.PrivateKey(), Curve25519.Signing.PrivateKey()]
            let log = try await JetStreamEventLog.open(connection: producer, configuration: fastChain.events) {
                SystemWallClock().milliseconds
            }
            let acknowledged = Acknowledged()
            let publisher = Task { await publish(log, prefix: "e", acknowledged: acknowledged) }
            let serviceA = ChainService(
                connection: first,
                node: "a",
                signingKey: keys[0],
                configuration: fastChain,
                logger: Logger(label: "chain-a")
            )
            let crashed = Task { try await serviceA.run() }
            #expect(
                try await holds(within: .seconds(45)) { serviceA.state == .leading && serviceA.chainedSequence > 100 }
            )
            let serviceB = ChainService(
                connection: second,
                node: "b",
                signingKey: keys[1],
                configuration: fastChain,
                logger: Logger(label: "chain-b")
            )
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: [.init(service: serviceB)],
                    logger: Logger(label: "group")
                )
            )
            let running = Task { try await group.run() }
            let beforeCrash = serviceA.chainedSequence
            #expect(try await holds(within: .seconds(45)) { serviceA.chainedSequence > beforeCrash + 100 })
            #expect(serviceB.state == .following)
            crashed.cancel()
            _ = await crashed.result
            let atCrash = acknowledged.last
            #expect(try await holds(within: .seconds(20)) { serviceB.chainedSequence > atCrash + 100 })
            publisher.cancel()
            _ = await publisher.result
            let last = try await log.lastSequence()
            #expect(try await holds(within: .seconds(20)) { serviceB.chainedSequence >= last })
            await group.triggerGracefulShutdown()
            try await running.value
            let report = try await ChainStoreVerifier.verify(
                connection: producer,
                configuration: fastChain,
                trustedKeys: keys.map(\.publicKey)
            )
            #expect(report.failure == nil)
            let end = try await log.lastSequence()
            #expect(report.verifiedRecords + report.unchainedRecords == end)
            #expect(report.lastChainedSequence >= last && report.verifiedCheckpoints >= 2)
            // The graceful stop released the lease: its record expires at 0.
            let lease = try await first.keyValue(fastChain.leases).get(fastChain.leaseKey)
            #expect(lease.map { String(decoding: $0.value, as: UTF8.self).contains(#""expires_ms":0"#) } == true)
            for connection in [producer, first, second] {
                await connection.close()
            }
        }
    }

    @Test("A chain record that does not match the stream, or an untrusted signer, fails verification at its sequence")
    func tamperingIsFound() async throws {
        try await NATSTestCluster.with { cluster in
            let connection = try await cluster.connect()
            let key = Curve25519.Signing.PrivateKey()
            let log = try await JetStreamEventLog.open(connection: connection, configuration: fastChain.events) {
                1_000
            }
            _ = try await log.append((0..<50).map { CloudEvent(id: "t-\($0)", source: "test/tamper", type: "x.y") })
            let service = ChainService(
                connection: connection,
                node: "a",
                signingKey: key,
                configuration: fastChain,
                logger: Logger(label: "chain")
            )
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: [.init(service: service)],
                    logger: Logger(label: "g")
                )
            )
            let running = Task { try await group.run() }
            #expect(try await holds(within: .seconds(20)) { service.chainedSequence >= 50 })
            await group.triggerGracefulShutdown()
            try await running.value
            let clean = try await ChainStoreVerifier.verify(
                connection: connection,
                configuration: fastChain,
                trustedKeys: [key.publicKey]
            )
            #expect(clean.failure == nil && clean.verifiedCheckpoints >= 1)
            let stranger = try await ChainStoreVerifier.verify(
                connection: connection,
                configuration: fastChain,
                trustedKeys: [Curve25519.Signing.PrivateKey().publicKey]
            )
            #expect(stranger.failure?.reason == .untrustedSigner)
            #expect(stranger.verifiedCheckpoints == 0)

            // Five more events, then a forged record whose third hash does not follow from the stream.
            _ = try await log.append((0..<5).map { CloudEvent(id: "late-\($0)", source: "test/tamper", type: "x.y") })
            var hashes: [[UInt8]] = []
            var chainHash = clean.lastHash
            for sequence in clean.lastChainedSequence + 1...clean.lastChainedSequence + 5 {
                let message = try #require(
                    try await connection.message(stream: "TOCSIN_EVENTS", sequence: UInt64(sequence))
                )
                chainHash = HashChain.link(previous: chainHash, digest: HashChain.digest(canonical: message.payload))
                hashes.append(hashes.count == 2 ? [UInt8](repeating: 7, count: 32) : chainHash)
            }
            let forged = ChainRecord(
                firstSequence: clean.lastChainedSequence + 1,
                previousHash: clean.lastHash,
                hashes: hashes,
                checkpoint: nil,
                lastCheckpointSequence: clean.lastCheckpointSequence,
                lastCheckpointMilliseconds: 0
            )
            _ = try await connection.publish(
                NATSOutgoingMessage(
                    subject: fastChain.storeSubject,
                    payload: ChainStoreRecord(record: forged).bytes,
                    messageID: forged.messageID
                )
            )
            let tampered = try await ChainStoreVerifier.verify(
                connection: connection,
                configuration: fastChain,
                trustedKeys: [key.publicKey]
            )
            #expect(tampered.failure?.reason == .altered)
            #expect(tampered.failure?.sequence == clean.lastChainedSequence + 3)
            #expect(tampered.verifiedRecords == clean.verifiedRecords)
            await connection.close()
        }
    }

    @Test("A message removed after chaining fails verification as missing; one removed before halts the chainer at it")
    func removedMessages() async throws {
        try await NATSTestCluster.with { cluster in
            let connection = try await cluster.connect()
            let key = Curve25519.Signing.PrivateKey()
            let log = try await JetStreamEventLog.open(connection: connection, configuration: fastChain.events) {
                1_000
            }
            _ = try await log.append((0..<20).map { CloudEvent(id: "r-\($0)", source: "test/remove", type: "x.y") })
            func chainService() -> (ChainService, ServiceGroup) {
                let service = ChainService(
                    connection: connection,
                    node: "a",
                    signingKey: key,
                    configuration: fastChain,
                    logger: Logger(label: "chain")
                )
                let group = ServiceGroup(
                    configuration: ServiceGroupConfiguration(
                        services: [.init(service: service)],
                        logger: Logger(label: "g")
                    )
                )
                return (service, group)
            }
            let (first, firstGroup) = chainService()
            let firstRun = Task { try await firstGroup.run() }
            #expect(try await holds(within: .seconds(20)) { first.chainedSequence >= 20 })
            await firstGroup.triggerGracefulShutdown()
            try await firstRun.value
            // Tocsin's own user may not delete messages: the account's unrestricted user removes them.
            let unrestricted = try await cluster.connect(user: "tocsin-admin")
            try await unrestricted.deleteMessage(stream: "TOCSIN_EVENTS", sequence: 10)
            let report = try await ChainStoreVerifier.verify(
                connection: connection,
                configuration: fastChain,
                trustedKeys: [key.publicKey]
            )
            #expect(report.failure?.sequence == 10 && report.failure?.reason == .missing)

            let before = try await log.lastSequence()
            _ = try await log.append((0..<5).map { CloudEvent(id: "s-\($0)", source: "test/remove", type: "x.y") })
            try await unrestricted.deleteMessage(stream: "TOCSIN_EVENTS", sequence: UInt64(before + 3))
            let (second, secondGroup) = chainService()
            let secondRun = Task { try await secondGroup.run() }
            let gap = ClusterChainer.Halt.gap(expected: before + 3, found: before + 4)
            #expect(try await holds(within: .seconds(20)) { second.state == .halted(gap) })
            #expect(second.chainedSequence < before + 3)
            await secondGroup.triggerGracefulShutdown()
            try await secondRun.value
            await unrestricted.close()
            await connection.close()
        }
    }
}
#endif
