// SPDX-License-Identifier: Apache-2.0

#if NATS
public import Crypto
import TocsinCluster
import TocsinCore

/// What a verification of the cluster's chain found.
public struct ChainVerificationReport: Sendable, Hashable {
    /// Stream messages whose chain hash verified.
    public var verifiedRecords: Int64 = 0
    /// Chain store records read.
    public var chainRecords: Int = 0
    /// Checkpoints whose signature verified.
    public var verifiedCheckpoints: Int = 0
    /// The newest stream sequence the chain covers.
    public var lastChainedSequence: Int64 = 0
    /// The chain hash there (``HashChain/genesis`` for an empty chain).
    public var lastHash: [UInt8] = HashChain.genesis
    /// The newest signed checkpoint's sequence (0 when none).
    public var lastCheckpointSequence: Int64 = 0
    /// Every verified checkpoint's chain hash, by its stream sequence (for a witness file's lines).
    public var checkpointHashes: [Int64: [UInt8]] = [:]
    /// Stream messages after the chain's end, not chained yet.
    public var unchainedRecords: Int64 = 0
    /// The verified chain hash at the sequence the caller asked for, if the chain reaches it.
    public var hashAtRequestedSequence: [UInt8]?
    /// The first failure, or `nil` when everything verified.
    public var failure: ChainVerificationFailure?
}

/// The first place where the cluster's chain does not verify.
public struct ChainVerificationFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// Why.
    public enum Reason: String, Sendable, Hashable {
        /// The stream message's digest does not give the recorded chain hash.
        case altered
        /// The stream has no message at a sequence the chain covers.
        case missing
        /// A chain record does not continue the one before it (a fork, a skipped or repeated run).
        case unlinked
        /// A chain store message is not a chain record.
        case unreadable
        /// A checkpoint's sequence or hash is not the end of its record.
        case checkpointMismatch = "checkpoint-mismatch"
        /// A checkpoint's signature does not verify with the key it names.
        case badSignature = "bad-signature"
        /// A checkpoint is signed by a key that is not among the trusted node keys.
        case untrustedSigner = "untrusted-signer"
    }

    /// The stream sequence where it fails.
    public var sequence: Int64
    /// The chain store sequence of the record that says so.
    public var storeSequence: UInt64
    /// Why.
    public var reason: Reason

    /// `sequence N: reason (chain record S)`.
    public var description: String {
        "sequence \(sequence): \(reason.rawValue) (chain record \(storeSequence))"
    }
}

/// Verifies the cluster's chain from any node: every chain record against the event stream's
/// messages (``ChainRecord/verifies(digests:)``, then hash by hash to name the sequence), the links
/// between records, and every checkpoint signature.
public enum ChainStoreVerifier: Sendable {
    /// Walks the chain store from its first record and stops at the first failure.
    ///
    /// - Parameters:
    ///   - connection: A connection to the cluster.
    ///   - configuration: Where the event stream and the chain store are.
    ///   - trustedKeys: The node public keys allowed to sign; empty to accept the key each record names
    ///     (which proves nothing against someone who can publish to the chain store).
    ///   - hashAt: A stream sequence whose verified chain hash the report should carry
    ///     (``ChainVerificationReport/hashAtRequestedSequence``), or `nil`.
    /// - Returns: The report.
    /// - Throws: ``NATSError`` when the streams cannot be read.
    public static func verify(
        connection: NATSConnection,
        configuration: ChainServiceConfiguration,
        trustedKeys: [Curve25519.Signing.PublicKey],
        hashAt: Int64? = nil
    ) async throws -> ChainVerificationReport {
        let trusted = Set(trustedKeys.map { Array($0.rawRepresentation) })
        var report = ChainVerificationReport()
        let lastStore = try await connection.streamInfo(configuration.store.name).lastSequence
        var next: UInt64 = 1
        while next <= lastStore {
            var batch = try await connection.messages(stream: configuration.store.name, from: next, limit: 8)
            // A direct get may be answered by a replica a moment behind the leader: read again for up
            // to 2 s before calling the tail missing.
            for _ in 0..<20 where batch.isEmpty {
                try await Task.sleep(for: .milliseconds(100))
                batch = try await connection.messages(stream: configuration.store.name, from: next, limit: 8)
            }
            guard !batch.isEmpty else {
                // The store says it holds more: its tail was removed.
                report.failure = ChainVerificationFailure(
                    sequence: report.lastChainedSequence + 1,
                    storeSequence: next,
                    reason: .unreadable
                )
                return report
            }
            for message in batch {
                if let failure = try await check(
                    message,
                    expectedStoreSequence: next,
                    report: &report,
                    connection: connection,
                    events: configuration.events.stream.name,
                    trusted: trusted,
                    hashAt: hashAt
                ) {
                    report.failure = failure
                    return report
                }
                next = message.sequence + 1
            }
        }
        let lastEvent = try await connection.streamInfo(configuration.events.stream.name).lastSequence
        report.unchainedRecords = max(0, Int64(lastEvent) - report.lastChainedSequence)
        return report
    }

    private static func check(
        _ message: NATSStoredMessage,
        expectedStoreSequence: UInt64,
        report: inout ChainVerificationReport,
        connection: NATSConnection,
        events: String,
        trusted: Set<[UInt8]>,
        hashAt: Int64?
    ) async throws -> ChainVerificationFailure? {
        let expected = report.lastChainedSequence + 1
        func failure(_ sequence: Int64, _ reason: ChainVerificationFailure.Reason) -> ChainVerificationFailure {
            ChainVerificationFailure(sequence: sequence, storeSequence: message.sequence, reason: reason)
        }
        guard message.sequence == expectedStoreSequence, let stored = ChainStoreRecord(bytes: message.payload) else {
            return failure(expected, .unreadable)
        }
        let record = stored.record
        guard record.firstSequence == expected, record.previousHash == report.lastHash else {
            return failure(expected, .unlinked)
        }
        var running = record.previousHash
        var sequence = record.firstSequence
        while sequence <= record.lastSequence {
            let want = Int(record.lastSequence - sequence + 1)
            let found = try await connection.messages(stream: events, from: UInt64(sequence), limit: min(want, 1024))
            guard let first = found.first, first.sequence == UInt64(sequence) else {
                return failure(sequence, .missing)
            }
            for event in found {
                guard event.sequence == UInt64(sequence) else {
                    return failure(sequence, .missing)
                }
                running = HashChain.link(previous: running, digest: HashChain.digest(canonical: event.payload))
                guard running == record.hashes[Int(sequence - record.firstSequence)] else {
                    return failure(sequence, .altered)
                }
                sequence += 1
            }
        }
        if let checkpoint = record.checkpoint {
            guard checkpoint.sequence == record.lastSequence, checkpoint.hash == record.lastHash else {
                return failure(checkpoint.sequence, .checkpointMismatch)
            }
            guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: stored.signer),
                key.isValidSignature(stored.signature, for: checkpoint.message)
            else {
                return failure(checkpoint.sequence, .badSignature)
            }
            guard trusted.isEmpty || trusted.contains(stored.signer) else {
                return failure(checkpoint.sequence, .untrustedSigner)
            }
            report.verifiedCheckpoints += 1
            report.lastCheckpointSequence = checkpoint.sequence
            report.checkpointHashes[checkpoint.sequence] = checkpoint.hash
        }
        if let hashAt, hashAt >= record.firstSequence, hashAt <= record.lastSequence {
            report.hashAtRequestedSequence = record.hashes[Int(hashAt - record.firstSequence)]
        }
        report.chainRecords += 1
        report.verifiedRecords += Int64(record.hashes.count)
        report.lastChainedSequence = record.lastSequence
        report.lastHash = record.lastHash
        return nil
    }
}
#endif
