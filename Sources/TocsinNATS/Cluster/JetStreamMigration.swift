// SPDX-License-Identifier: Apache-2.0

#if NATS
public import Crypto
public import Logging
import ServiceLifecycle
import TocsinCluster
public import TocsinCore

/// What a migration did and found.
public struct MigrationReport: Sendable, Hashable {
    /// Records published by this run.
    public var copied: Int64
    /// Records a previous run had already published.
    public var alreadyInStream: Int64
    /// The source log's last sequence.
    public var lastSequence: Int64
    /// The source log's chain hash there.
    public var sourceHash: [UInt8]
    /// The cluster chain's verified hash there (empty when the chain does not reach it).
    public var streamHash: [UInt8]

    /// Whether the two chains agree at the last migrated record.
    public var hashesMatch: Bool { !sourceHash.isEmpty && sourceHash == streamHash }
}

/// Copies a single-node log into the event stream, chains it, and checks that the cluster chain's
/// hash at the last migrated record equals the source log's (the arithmetic is the same).
///
/// Each record is published at its own sequence: payload = its canonical bytes, `Nats-Msg-Id` as
/// ``JetStreamEventLog`` sets it, and the stream's expected last sequence = the sequence before it,
/// so nothing lands out of place. A second run continues after the stream's last sequence once the
/// overlap matches (first and last overlapping records compared byte for byte); a stream holding
/// anything else is refused.
public enum JetStreamMigration: Sendable {
    /// Runs the migration.
    ///
    /// - Parameters:
    ///   - connection: A connection to the cluster.
    ///   - configuration: The event stream, the chain store and the chain lease.
    ///   - sourceLastSequence: The source log's last sequence.
    ///   - signingKey: The key that signs the cluster chain's checkpoints while this run chains.
    ///   - logger: Where the chainer logs.
    ///   - read: Up to `limit` source records after a sequence, in order.
    /// - Returns: The report; compare ``MigrationReport/hashesMatch``.
    /// - Throws: ``NATSError`` with code ``NATSError/Code/refused`` for a stream that holds something
    ///   else, or a failed publish (run again to resume); what `read` throws.
    public static func run(
        connection: NATSConnection,
        configuration: ChainServiceConfiguration,
        sourceLastSequence: Int64,
        signingKey: Curve25519.Signing.PrivateKey,
        logger: Logger,
        read: (_ after: Int64, _ limit: Int) throws -> [ChainedRecord]
    ) async throws -> MigrationReport {
        let stream = configuration.events.stream.name
        try await connection.ensureStream(configuration.events.stream)
        try await connection.ensureStream(configuration.store)
        let info = try await connection.streamInfo(stream)
        let overlap = min(Int64(info.lastSequence), sourceLastSequence)
        if info.lastSequence > 0 {
            try await checkOverlap(connection: connection, stream: stream, info: info, through: overlap, read: read)
        }
        var after = overlap
        while after < sourceLastSequence {
            let records = try read(after, 512)
            guard let last = records.last else {
                break
            }
            try await publish(records, connection: connection, configuration: configuration)
            after = last.sequence
        }
        try await chain(through: sourceLastSequence, connection: connection, configuration: configuration) {
            ChainService(
                connection: connection,
                node: "migrate",
                signingKey: signingKey,
                configuration: configuration,
                logger: logger
            )
        }
        let report = try await ChainStoreVerifier.verify(
            connection: connection,
            configuration: configuration,
            trustedKeys: [],
            hashAt: sourceLastSequence
        )
        if let failure = report.failure {
            throw NATSError(code: .refused, message: "the cluster chain does not verify: \(failure)")
        }
        let sourceHash =
            try sourceLastSequence == 0 ? HashChain.genesis : read(sourceLastSequence - 1, 1).first?.hash ?? []
        return MigrationReport(
            copied: sourceLastSequence - overlap,
            alreadyInStream: overlap,
            lastSequence: sourceLastSequence,
            sourceHash: sourceHash,
            streamHash: sourceLastSequence == 0 ? HashChain.genesis : report.hashAtRequestedSequence ?? []
        )
    }

    private static func checkOverlap(
        connection: NATSConnection,
        stream: String,
        info: NATSStreamInfo,
        through overlap: Int64,
        read: (Int64, Int) throws -> [ChainedRecord]
    ) async throws {
        let refused = NATSError(
            code: .refused,
            message: """
                stream \(stream) already holds \(info.messages) messages that are not a copy of this log; \
                migrate into an empty stream (a new cluster, or delete the stream if nothing else uses it)
                """
        )
        guard info.firstSequence == 1, overlap > 0 else {
            throw refused
        }
        for sequence in Set([1, overlap]) {
            guard let record = try read(sequence - 1, 1).first, record.sequence == sequence,
                let message = try await connection.message(stream: stream, sequence: UInt64(sequence)),
                message.payload == record.canonical
            else {
                throw refused
            }
        }
    }

    private static func publish(
        _ records: [ChainedRecord],
        connection: NATSConnection,
        configuration: ChainServiceConfiguration
    ) async throws {
        let messages = records.map { record in
            NATSOutgoingMessage(
                subject: JetStreamRecord.subject(prefix: configuration.events.subjectPrefix, type: record.type),
                payload: record.canonical,
                messageID: JetStreamRecord.messageID(source: record.source, id: record.id),
                expectedLastSequence: UInt64(record.sequence - 1)
            )
        }
        for (record, result) in zip(records, await connection.publish(messages)) {
            let ack: NATSPublishAck
            do {
                ack = try result.get()
            } catch {
                throw NATSError(
                    code: error.code,
                    message: "migrating record \(record.sequence): \(error.message); run the migration again to resume"
                )
            }
            guard ack.sequence == UInt64(record.sequence) else {
                throw NATSError(
                    code: .refused,
                    message: """
                        record \(record.sequence) was stored at stream sequence \(ack.sequence) (an event with the same \
                        source and id was already in the stream); migrate into an empty stream
                        """
                )
            }
        }
    }

    /// Runs a chain service until the chain store's head reaches `sequence` (whichever node chains),
    /// then stops it gracefully.
    private static func chain(
        through sequence: Int64,
        connection: NATSConnection,
        configuration: ChainServiceConfiguration,
        service: () -> ChainService
    ) async throws {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: service())],
                logger: Logger(label: "migrate")
            )
        )
        async let running: Void = group.run()
        do {
            while try await chainedSequence(connection: connection, configuration: configuration) < sequence {
                try await Task.sleep(for: .milliseconds(200))
            }
        } catch {
            await group.triggerGracefulShutdown()
            try? await running
            throw error
        }
        await group.triggerGracefulShutdown()
        try await running
    }

    private static func chainedSequence(
        connection: NATSConnection,
        configuration: ChainServiceConfiguration
    ) async throws -> Int64 {
        guard
            let head = try await connection.lastMessage(
                stream: configuration.store.name,
                subject: configuration.storeSubject
            ),
            let stored = ChainStoreRecord(bytes: head.payload)
        else {
            return 0
        }
        return stored.record.lastSequence
    }
}
#endif
