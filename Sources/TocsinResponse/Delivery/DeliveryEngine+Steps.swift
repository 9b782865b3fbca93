// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

extension DeliveryEngine {
    /// How one target's deliveries are made: what the engine needs of a target's definition.
    public struct Target: Sendable, Hashable {
        /// Attempts to this target running at once, at most.
        public var maxConcurrency: Int
        /// Retries, backoff and the maximum event age.
        public var retry: RetryPolicy
        /// The target's circuit breaker.
        public var circuitBreaker: CircuitBreaker.Settings
        /// Whether the target's dead letters are redriven when its breaker closes again.
        public var autoRedrive: Bool

        /// Creates target settings.
        public init(
            maxConcurrency: Int = 1,
            retry: RetryPolicy = RetryPolicy(),
            circuitBreaker: CircuitBreaker.Settings = CircuitBreaker.Settings(),
            autoRedrive: Bool = false
        ) {
            self.maxConcurrency = maxConcurrency
            self.retry = retry
            self.circuitBreaker = circuitBreaker
            self.autoRedrive = autoRedrive
        }
    }

    /// What an attempt came to, as the loop reports it.
    public struct Completion: Sendable, Hashable {
        /// The delivery as it was when the attempt started.
        public var delivery: DeliveryRecord
        /// The attempt's outcome.
        public var outcome: AttemptOutcome
        /// What the action reports about itself (for the attempt's event), if anything.
        public var detail: JSONValue?
        /// When the attempt started (milliseconds since the epoch).
        public var startedMilliseconds: Int64

        /// Creates a completion.
        public init(delivery: DeliveryRecord, outcome: AttemptOutcome, detail: JSONValue?, startedMilliseconds: Int64) {
            self.delivery = delivery
            self.outcome = outcome
            self.detail = detail
            self.startedMilliseconds = startedMilliseconds
        }
    }

    /// One input to the engine.
    ///
    /// Each is handled at an explicit `now`.
    public enum Input: Sendable {
        /// The target definitions in force changed (at start and on every reload).
        case configured([String: Target])
        /// The router recorded new deliveries: every target may have some due now.
        case routed
        /// Dead letters were put back to pending, for one target or (`nil`) for any.
        case redriven(target: String?)
        /// The clock reached the time ``DeliveryEngine/nextWake(now:)`` asked for.
        case tick
        /// The targets with pending deliveries, answering ``Decision/findTargets``.
        case pendingTargets([String])
        /// The due deliveries read for a ``Decision/fetch(_:)``.
        case fetched(DeliveryFetch, deliveries: [DeliveryRecord], nextDueMilliseconds: Int64?)
        /// An attempt finished.
        case completed(Completion)
        /// The loop began writing every outcome decided so far (rows and events). Until it answers
        /// with ``recorded(_:)`` or ``writeFailed``, no other write is due; reads and attempts go on.
        case writing
        /// The outcomes of these deliveries are written to the queue.
        case recorded([Int64])
        /// The write begun with ``writing`` failed: its outcomes wait to be written again.
        case writeFailed
    }

    /// What the engine decided; the loop carries it out.
    public enum Decision: Sendable, Hashable {
        /// List the targets that have pending deliveries, and answer with ``Input/pendingTargets(_:)``.
        case findTargets
        /// Read due deliveries, and answer with ``Input/fetched(_:deliveries:nextDueMilliseconds:)``.
        case fetch(DeliveryFetch)
        /// Start an attempt (as the single probe of a half-open breaker when `isProbe`), and answer
        /// with ``Input/completed(_:)``.
        case start(DeliveryRecord, isProbe: Bool)
        /// Write this row and append this attempt's event, then answer with ``Input/recorded(_:)``.
        case record(DeliveryUpdate, DeliveryAttemptRecord)
        /// A target's breaker opened or closed: tell the operator.
        case breaker(target: String, CircuitBreaker.Transition)
        /// Redrive the target's dead letters (its breaker closed and it asks for automatic redrive),
        /// after the outcomes before it are written; answer with ``Input/redriven(target:)``.
        case redrive(target: String)
    }
}

/// What happened to a delivery at one step: the content of its `tocsin.delivery.*` event.
public struct DeliveryAttemptRecord: Sendable, Hashable {
    /// The delivery as it was before the step.
    public var delivery: DeliveryRecord
    /// The attempt's number (1-based); for a delivery given up before an attempt, the number the
    /// next attempt would have had.
    public var attempt: Int
    /// The attempt's outcome; `nil` when no attempt was made.
    public var outcome: AttemptOutcome?
    /// What happens next.
    public var decision: DeliveryDecision
    /// What the action reports about itself, if anything.
    public var detail: JSONValue?

    /// Creates a record.
    public init(
        delivery: DeliveryRecord,
        attempt: Int,
        outcome: AttemptOutcome?,
        decision: DeliveryDecision,
        detail: JSONValue?
    ) {
        self.delivery = delivery
        self.attempt = attempt
        self.outcome = outcome
        self.decision = decision
        self.detail = detail
    }
}
