// SPDX-License-Identifier: Apache-2.0

/// The hash chain in a cluster: the lease holder links stream messages in order into chain records
/// and signs checkpoints, as a pure state machine.
///
/// The driver runs it beside the chain ``LeaseElection``: ``Input/leading`` when the election says
/// ``LeaseElection/Decision/lead(untilMilliseconds:)`` for the first time,
/// ``Input/notLeading`` on a step-down. The chainer reads the newest durable chain record, fetches
/// the stream messages after it, and asks for each chain record to be written at an expected last
/// sequence of the chain store (and with ``ChainRecord/messageID`` as the message id), so two
/// leaders can never both append after the same record: one of them gets a conflict.
///
/// Guarantees:
/// - **No fork.** Each write names the store sequence it follows; on a conflict the chainer reads
///   the head again and continues only if the head is its own record (a retried write that was
///   stored) or the unchanged record it started from; if another writer moved the chain on, it
///   steps down.
/// - **No skipped sequence.** Messages are linked only when they continue the chain exactly; a
///   gap halts the chainer and reports the missing sequence.
/// - **No takeover over a rolled-back store.** With the node's own witnessed checkpoints, a new
///   lease holder first checks the chain store against them (``WitnessedCheckpoint``): the newest
///   must not lie past the store's end, and each one at or below it must be there with the same
///   hash. Otherwise it halts before it chains anything.
/// - **The single-node cadence.** A checkpoint closes the record in which
///   ``Configuration/checkpointEveryRecords`` records have accumulated, or the first record after
///   ``Configuration/checkpointIntervalMilliseconds``; an idle chain with unsigned records gets a
///   checkpoint-only record when the interval passes; a checkpoint is never signed for its own
///   announcement alone; a graceful shutdown signs a final one.
public struct ClusterChainer: Sendable {
    /// Sizes and rhythm.
    public struct Configuration: Sendable, Hashable {
        /// The most stream messages one chain record links.
        public var maxMessagesPerRecord: Int
        /// Sign a checkpoint after this many new records.
        public var checkpointEveryRecords: Int64
        /// Sign a checkpoint at least this often while records arrive.
        public var checkpointIntervalMilliseconds: Int64
        /// How long to wait after a fetch that found nothing before fetching again.
        public var idleMilliseconds: Int64
        /// How long to wait before retrying a failed read, fetch or write.
        public var retryMilliseconds: Int64

        /// Creates a configuration (defaults: 4,096 messages per record; a checkpoint every 10,000
        /// records or 60 s, as the single-node store; 100 ms idle; 250 ms between retries).
        public init(
            maxMessagesPerRecord: Int = 4096,
            checkpointEveryRecords: Int64 = 10_000,
            checkpointIntervalMilliseconds: Int64 = 60_000,
            idleMilliseconds: Int64 = 100,
            retryMilliseconds: Int64 = 250
        ) {
            self.maxMessagesPerRecord = maxMessagesPerRecord
            self.checkpointEveryRecords = checkpointEveryRecords
            self.checkpointIntervalMilliseconds = checkpointIntervalMilliseconds
            self.idleMilliseconds = idleMilliseconds
            self.retryMilliseconds = retryMilliseconds
        }
    }

    /// What happened.
    public enum Input: Sendable, Hashable {
        /// This node became the lease holder.
        case leading
        /// This node stopped holding the lease; every answer still on its way is ignored.
        case notLeading
        /// The answer to ``Decision/readHead``: the newest chain record, or `nil` for an empty store.
        case headRead(ChainHead?)
        /// The answer to ``Decision/readChainHashes(_:)``: the chain store's hash at each sequence it
        /// holds (a sequence it does not hold is absent).
        case chainHashesRead([Int64: [UInt8]])
        /// The answer to ``Decision/fetch(afterSequence:limit:)``, in stream order.
        case fetched([ChainMessage])
        /// The answer to ``Decision/append(_:expectedStoreSequence:)``: stored at this store
        /// sequence (a duplicate of the same message id counts as stored).
        case appended(storeSequence: UInt64)
        /// The chain store's last sequence was not the expected one: nothing was written.
        case appendConflict
        /// A read, fetch or write failed (error or timeout); a write may or may not have been stored.
        case failed
        /// Time passed; the driver ticks at ``nextWake(now:)`` at the latest.
        case tick
        /// The process is stopping: finish the write in flight and sign a final checkpoint.
        case shutdown
    }

    /// Why the chainer stopped for good.
    public enum Halt: Sendable, Hashable {
        /// The stream has no message at `expected`: the next one found was `found`. Unchained
        /// messages were removed from the stream (limits, purge); the chain cannot continue past
        /// the hole without an operator's decision.
        case gap(expected: Int64, found: Int64)
        /// The node's witness file, at `line`, names a checkpoint at `sequence` past the chain
        /// store's end `storeEnd`: the store was rolled back (or purged) since this node signed it.
        case witnessAhead(line: Int, sequence: Int64, storeEnd: Int64)
        /// The node's witness file, at `line`, names a checkpoint at `sequence` that the chain store
        /// holds with another hash, or not at all: the store was rewritten.
        case witnessMismatch(line: Int, sequence: Int64)
    }

    /// What to do, in order.
    public enum Decision: Sendable, Hashable {
        /// Read the chain store's newest record; answer with ``Input/headRead(_:)``.
        case readHead
        /// Read the chain store's hashes at these stream sequences (ascending); answer with
        /// ``Input/chainHashesRead(_:)``.
        case readChainHashes([Int64])
        /// Fetch stream messages after this sequence, at most `limit`; answer with ``Input/fetched(_:)``.
        case fetch(afterSequence: Int64, limit: Int)
        /// Write the record (signing its checkpoint first, if it has one) expecting the store's last
        /// sequence to be `expectedStoreSequence` (0 for an empty store); answer with
        /// ``Input/appended(storeSequence:)``, ``Input/appendConflict`` or ``Input/failed``.
        case append(ChainRecord, expectedStoreSequence: UInt64)
        /// The record carrying this checkpoint is durable: announce it (`tocsin.checkpoint.signed`
        /// into the stream) and hand it to the witness.
        case announce(ChainCheckpoint)
        /// Another writer moved the chain on: give up the lease and stop chaining.
        case stepDown
        /// Stop chaining and report; see ``Halt``.
        case halt(Halt)
        /// After ``Input/shutdown``: nothing is in flight and the final checkpoint is durable.
        case stopped
    }

    /// What the chainer is waiting for.
    enum Phase: Sendable, Hashable {
        case idle
        case readingHead
        /// Checking the witnessed checkpoints against the store whose head this is.
        case checkingWitness(ChainHead?)
        /// Reading the head again after a conflict on this record.
        case recheckingHead(ChainRecord, announcement: Int64)
        case fetching
        /// Writing this record; `announcement` is the announcement that will be alone after the
        /// last checkpoint once it is stored (-1 for none).
        case appending(ChainRecord, announcement: Int64)
        /// Nothing in flight; the next step is due at this time.
        case waiting(untilMilliseconds: Int64, then: Retry)
        case halted(Halt)
        case stopped
    }

    /// The step a wait leads to.
    enum Retry: Sendable, Hashable {
        case readHead
        case recheckHead(ChainRecord, announcement: Int64)
        case fetch
        case append(ChainRecord, announcement: Int64)
    }

    /// The durable tip of the chain, as far as this chainer knows.
    struct Position: Sendable, Hashable {
        var sequence: Int64 = 0
        var hash: [UInt8]
        var storeSequence: UInt64 = 0
        var checkpointSequence: Int64 = 0
        var checkpointMilliseconds: Int64 = 0
        /// The sequence of an announcement that is the only record after the last checkpoint.
        var announcementSequence: Int64 = -1
        /// When the interval asks for the next checkpoint.
        var checkpointDueAt: Int64 = .max

        var hasUncheckpointedRecords: Bool {
            sequence > checkpointSequence && sequence != announcementSequence
        }
    }

    /// Sizes and rhythm.
    public let configuration: Configuration
    /// The node's own witnessed checkpoints, checked once before it chains anything.
    let witnessed: [WitnessedCheckpoint]
    var isWitnessChecked: Bool
    var phase: Phase = .idle
    var position: Position
    var isShuttingDown = false

    /// Creates a chainer that waits for ``Input/leading``.
    ///
    /// - Parameters:
    ///   - configuration: Sizes and rhythm.
    ///   - witnessed: The checkpoints this node's witness file holds; none skips the takeover check.
    public init(configuration: Configuration = Configuration(), witnessed: [WitnessedCheckpoint] = []) {
        self.configuration = configuration
        self.witnessed = witnessed
        self.isWitnessChecked = witnessed.isEmpty
        self.position = Position(hash: [])
    }

    /// The newest stream sequence known to be chained durably (0 before the head is read).
    public var chainedSequence: Int64 { position.sequence }

    /// When the driver should tick next at the latest.
    ///
    /// `nil` when only an answer can move the machine. May be at or before `now`.
    public func nextWake(now: Int64) -> Int64? {
        switch phase {
        case .waiting(let until, let then):
            if then == .fetch, position.hasUncheckpointedRecords {
                return min(until, position.checkpointDueAt)
            }
            return until
        case .idle, .readingHead, .checkingWitness, .recheckingHead, .fetching, .appending, .halted, .stopped:
            return nil
        }
    }
}
