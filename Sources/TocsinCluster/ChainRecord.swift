// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// A stream message as the chainer needs it: its stream sequence and its record digest.
public struct ChainMessage: Sendable, Hashable {
    /// The stream sequence.
    public var sequence: Int64
    /// `SHA-256` of the message's canonical record bytes (``HashChain/digest(canonical:)``).
    public var digest: [UInt8]
    /// Whether the message is a `tocsin.checkpoint.signed` announcement (a checkpoint is not
    /// signed for an announcement alone, as in the single-node log).
    public var isCheckpointAnnouncement: Bool

    /// Creates a message from its digest.
    public init(sequence: Int64, digest: [UInt8], isCheckpointAnnouncement: Bool = false) {
        self.sequence = sequence
        self.digest = digest
        self.isCheckpointAnnouncement = isCheckpointAnnouncement
    }

    /// Creates a message from its canonical record bytes
    /// (``HashChain/canonicalBytes(attributes:dataKind:data:ingestMilliseconds:ocsf:enrichment:)``).
    public init(sequence: Int64, canonical: [UInt8], isCheckpointAnnouncement: Bool = false) {
        self.init(
            sequence: sequence,
            digest: HashChain.digest(canonical: canonical),
            isCheckpointAnnouncement: isCheckpointAnnouncement
        )
    }
}

/// A checkpoint: the chain hash at a stream sequence, to be signed by the leader.
public struct ChainCheckpoint: Sendable, Hashable {
    /// The last stream sequence it covers.
    public var sequence: Int64
    /// The chain hash there.
    public var hash: [UInt8]
    /// When the leader decided it, in milliseconds since the epoch.
    public var signedMilliseconds: Int64

    /// Creates a checkpoint.
    public init(sequence: Int64, hash: [UInt8], signedMilliseconds: Int64) {
        self.sequence = sequence
        self.hash = hash
        self.signedMilliseconds = signedMilliseconds
    }

    /// The bytes to sign with the node key (``HashChain/checkpointMessage(sequence:hash:)``), as
    /// the single-node log signs them.
    public var message: [UInt8] {
        HashChain.checkpointMessage(sequence: sequence, hash: hash)
    }
}

/// One entry of the chain store: the chain hashes of a run of consecutive stream messages, and
/// the checkpoint that closes it, if any.
///
/// `hashes[i]` is the chain hash at stream sequence `firstSequence + i`:
/// `link(previous, digest(message))`, with ``HashChain/genesis`` before sequence 1, exactly as the
/// single-node log links its records. A record with no hashes carries only a checkpoint of the
/// hash before it.
public struct ChainRecord: Sendable, Hashable {
    /// The stream sequence of the first message it links.
    public var firstSequence: Int64
    /// The chain hash before `firstSequence`.
    public var previousHash: [UInt8]
    /// The chain hash after each message, in order.
    public var hashes: [[UInt8]]
    /// The checkpoint at ``lastSequence`` this record carries (sign ``ChainCheckpoint/message``
    /// and store the signature with the record), or `nil`.
    public var checkpoint: ChainCheckpoint?
    /// The sequence of the newest checkpoint at or before the end of this record (0 when none was
    /// ever signed); a new leader resumes the checkpoint cadence from it.
    public var lastCheckpointSequence: Int64
    /// When that checkpoint was signed, in milliseconds since the epoch (0 when none was).
    public var lastCheckpointMilliseconds: Int64

    /// Creates a record.
    public init(
        firstSequence: Int64,
        previousHash: [UInt8],
        hashes: [[UInt8]],
        checkpoint: ChainCheckpoint?,
        lastCheckpointSequence: Int64,
        lastCheckpointMilliseconds: Int64
    ) {
        self.firstSequence = firstSequence
        self.previousHash = previousHash
        self.hashes = hashes
        self.checkpoint = checkpoint
        self.lastCheckpointSequence = lastCheckpointSequence
        self.lastCheckpointMilliseconds = lastCheckpointMilliseconds
    }

    /// The last stream sequence it covers (`firstSequence − 1` for a checkpoint-only record).
    public var lastSequence: Int64 { firstSequence + Int64(hashes.count) - 1 }

    /// The chain hash at ``lastSequence``.
    public var lastHash: [UInt8] { hashes.last ?? previousHash }

    /// The message id to write it with, so a retried write is a duplicate: the last sequence,
    /// with `-checkpoint` for a checkpoint-only record.
    public var messageID: String {
        hashes.isEmpty ? "\(lastSequence)-checkpoint" : "\(lastSequence)"
    }

    /// Whether the stream messages' digests, linked from ``previousHash``, give ``hashes``; any
    /// node can check a record this way against the stream.
    ///
    /// - Parameter digests: The digests of the messages at `firstSequence...lastSequence`.
    /// - Returns: `true` when every hash follows from the digests.
    public func verifies(digests: [[UInt8]]) -> Bool {
        guard digests.count == hashes.count else {
            return false
        }
        var running = previousHash
        for (digest, expected) in zip(digests, hashes) {
            running = HashChain.link(previous: running, digest: digest)
            guard running == expected else {
                return false
            }
        }
        return true
    }
}

/// Where the chain store stands: its newest record and that record's sequence in the store (the
/// expected last sequence for the next write).
public struct ChainHead: Sendable, Hashable {
    /// The newest chain record.
    public var record: ChainRecord
    /// Its sequence in the chain store.
    public var storeSequence: UInt64

    /// Creates a head.
    public init(record: ChainRecord, storeSequence: UInt64) {
        self.record = record
        self.storeSequence = storeSequence
    }
}
