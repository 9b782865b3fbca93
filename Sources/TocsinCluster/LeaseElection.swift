// SPDX-License-Identifier: Apache-2.0

/// One holder at a time for a named lease kept in a KV bucket, as a pure state machine.
///
/// Every ``Input`` comes with `now` (milliseconds since the epoch on this node's clock) and the
/// machine answers with ``Decision``s that the driver carries out in order: read the key, create
/// it, update it at an expected revision, start or stop the leader's work. Only one KV operation is
/// asked for at a time, and every one must be answered (``Input/observed(_:)`` or
/// ``Input/readFailed`` for a read, ``Input/written(_:)`` for a write).
///
/// Safety rests on two rules. A lease is only ever won by a write that the bucket accepted at the
/// revision the candidate saw (create when absent, update at the revision otherwise), so a
/// revision conflict never counts as acquired. And the holder stops its work
/// ``Configuration/maxClockSkewMilliseconds`` + ``Configuration/stepDownMarginMilliseconds``
/// before the expiry it wrote, while every other node waits for that expiry on its own clock: with
/// clocks that differ by at most the skew, the old holder has stopped at least the margin before
/// anyone else can win the lease.
public struct LeaseElection: Sendable {
    /// The lease's timing.
    public struct Configuration: Sendable, Hashable {
        /// How long a written lease lasts.
        public var ttlMilliseconds: Int64
        /// How often the holder renews.
        public var renewEveryMilliseconds: Int64
        /// The most two nodes' clocks may differ.
        public var maxClockSkewMilliseconds: Int64
        /// How long before the skew-adjusted expiry the holder stops, for work still in flight.
        public var stepDownMarginMilliseconds: Int64
        /// How long to wait before trying again after a failed read or write.
        public var retryMilliseconds: Int64

        /// Creates a configuration (defaults: a 10 s lease renewed every 3 s, 1 s of skew, a 1 s
        /// margin, 250 ms between retries).
        ///
        /// - Precondition: every value is positive (the skew may be 0) and the holder's window,
        ///   `ttl − skew − margin`, is longer than the renewal interval.
        public init(
            ttlMilliseconds: Int64 = 10_000,
            renewEveryMilliseconds: Int64 = 3000,
            maxClockSkewMilliseconds: Int64 = 1000,
            stepDownMarginMilliseconds: Int64 = 1000,
            retryMilliseconds: Int64 = 250
        ) {
            precondition(renewEveryMilliseconds > 0 && stepDownMarginMilliseconds > 0 && retryMilliseconds > 0)
            precondition(maxClockSkewMilliseconds >= 0)
            precondition(
                ttlMilliseconds - maxClockSkewMilliseconds - stepDownMarginMilliseconds > renewEveryMilliseconds,
                "the lease must outlast a renewal interval after the skew and the margin"
            )
            self.ttlMilliseconds = ttlMilliseconds
            self.renewEveryMilliseconds = renewEveryMilliseconds
            self.maxClockSkewMilliseconds = maxClockSkewMilliseconds
            self.stepDownMarginMilliseconds = stepDownMarginMilliseconds
            self.retryMilliseconds = retryMilliseconds
        }

        /// The last moment (on the holder's clock) at which the holder of a lease expiring at
        /// `expires` may still act as the leader.
        public func holdEnd(expiresMilliseconds expires: Int64) -> Int64 {
            expires - maxClockSkewMilliseconds - stepDownMarginMilliseconds
        }
    }

    /// What happened.
    public enum Input: Sendable, Hashable {
        /// Time passed; the driver ticks at ``nextWake(now:)`` at the latest.
        case tick
        /// The key as read (a get or a watch update); `nil` when it is absent or deleted.
        case observed(LeaseEntry?)
        /// The read asked for failed (an error or a timeout).
        case readFailed
        /// The answer to the last ``Decision/acquire(_:)``, ``Decision/renew(_:expectedRevision:)``,
        /// ``Decision/takeOver(_:expectedRevision:)`` or ``Decision/release(_:expectedRevision:)``.
        case written(LeaseWriteOutcome)
        /// The process is stopping.
        case shutdown
    }

    /// Why the leader's work must stop.
    public enum StepDownReason: Sendable, Hashable {
        /// The lease could not be renewed in time; it could expire elsewhere soon.
        case expiring
        /// Another holder wrote the key, or the key was deleted.
        case lost
        /// The process is stopping.
        case shutdown
    }

    /// What to do, in order.
    public enum Decision: Sendable, Hashable {
        /// Read the key (get); answer with ``Input/observed(_:)`` or ``Input/readFailed``.
        case read
        /// Create the key with this record, failing if it exists; answer with ``Input/written(_:)``.
        case acquire(LeaseRecord)
        /// Update this node's key at the revision; answer with ``Input/written(_:)``.
        case renew(LeaseRecord, expectedRevision: UInt64)
        /// Update an expired (or this process's own) key at the revision; answer with ``Input/written(_:)``.
        case takeOver(LeaseRecord, expectedRevision: UInt64)
        /// Write a released record at the revision, after the leader's work stopped; answer with
        /// ``Input/written(_:)``.
        ///
        /// An update at the revision rather than a delete: a delete could remove a successor's lease.
        case release(LeaseRecord, expectedRevision: UInt64)
        /// This node holds the lease: do the leader's work until this time on this node's clock
        /// (a later `lead` extends it) and stop then, even if no tick comes.
        case lead(untilMilliseconds: Int64)
        /// Stop the leader's work now, before anything else.
        case stepDown(StepDownReason)
        /// Another node holds the lease until this time (its clock); nothing to do before then.
        case standBy(holder: String, untilMilliseconds: Int64)
    }

    /// Whether this node leads.
    enum Role: Sendable, Hashable {
        case follower
        case leader(revision: UInt64, expiresMilliseconds: Int64)
        case stopped
    }

    /// What this node knows of the key.
    enum Knowledge: Sendable, Hashable {
        case unknown
        case absent
        case entry(LeaseEntry)
    }

    /// The operation waiting for its answer.
    enum Pending: Sendable, Hashable {
        case read
        case acquire(LeaseRecord, requestedAt: Int64)
        case renew(LeaseRecord, requestedAt: Int64)
        case takeOver(LeaseRecord, requestedAt: Int64)
        case release
    }

    /// The lease's timing.
    public let configuration: Configuration
    /// This process's identity as a holder.
    public let candidate: String
    var role: Role = .follower
    var knowledge: Knowledge = .unknown
    var pending: Pending?
    /// When the last accepted write was asked for (renewals count from it).
    var lastWriteAt: Int64 = .min
    /// No new operation before this time (after a failure).
    var retryAt: Int64 = .min

    /// Creates a follower that knows nothing of the key yet; its first tick reads it.
    ///
    /// - Parameters:
    ///   - candidate: This process's identity, unique per process (a restarted node must not
    ///     reuse it): see ``candidateIdentity(node:using:)``.
    ///   - configuration: The lease's timing.
    public init(candidate: String, configuration: Configuration = Configuration()) {
        self.candidate = candidate
        self.configuration = configuration
    }

    /// A candidate identity for `node`: the node name, a slash and 16 random hex digits, so a
    /// restarted process never mistakes its predecessor's lease for its own.
    ///
    /// - Parameters:
    ///   - node: The node's configured name.
    ///   - random: `SystemRandomNumberGenerator` in production, a seeded generator in tests.
    /// - Returns: `node/` followed by 16 lower-case hex digits.
    public static func candidateIdentity(node: String, using random: inout some RandomNumberGenerator) -> String {
        let token = String(random.next(), radix: 16)
        return node + "/" + String(repeating: "0", count: 16 - token.count) + token
    }

    /// Whether this node may act as the leader at `now`.
    public func isLeader(now: Int64) -> Bool {
        guard case .leader(_, let expires) = role else {
            return false
        }
        return now < configuration.holdEnd(expiresMilliseconds: expires)
    }

    /// The revision of the lease this node holds, or `nil` when it does not lead.
    public var heldRevision: UInt64? {
        guard case .leader(let revision, _) = role else {
            return nil
        }
        return revision
    }

    /// When the driver should tick next at the latest.
    ///
    /// `nil` when only an answer (or a watch update) can move the machine. May be at or before `now`.
    public func nextWake(now: Int64) -> Int64? {
        switch role {
        case .stopped:
            return nil
        case .leader(_, let expires):
            let end = configuration.holdEnd(expiresMilliseconds: expires)
            guard pending == nil else {
                return end
            }
            return min(end, max(lastWriteAt + configuration.renewEveryMilliseconds, retryAt))
        case .follower:
            guard pending == nil else {
                return nil
            }
            switch knowledge {
            case .unknown, .absent:
                return max(now, retryAt)
            case .entry(let entry):
                if entry.record.holder == candidate {
                    return max(now, retryAt)
                }
                return max(entry.record.expiresMilliseconds, retryAt)
            }
        }
    }
}
