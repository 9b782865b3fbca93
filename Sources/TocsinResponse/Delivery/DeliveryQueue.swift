// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// Where deliveries wait between attempts: the port the delivery loop reads and writes, implemented
/// by the store (`RoutingStore`) and, in tests, by an in-memory queue.
///
/// A delivery stays `pending` while an attempt runs, so a crash leaves it due and the next start
/// attempts it again (at-least-once); the loop excludes the ids it has in flight when it reads.
public protocol DeliveryQueue: Sendable {
    /// Pending deliveries to `fetch.target` due at `now`, oldest first, at most `fetch.limit`, none of
    /// `fetch.excluding`; each with its event (`nil` when the event is gone), and the time the next
    /// pending delivery to that target is due after `now`, if any.
    func due(_ fetch: DeliveryFetch, now: Int64) async throws -> DueDeliveries

    /// The names of the targets that have pending deliveries (to find deliveries of deleted targets).
    func pendingTargets() async throws -> [String]

    /// Writes attempt outcomes, all in one transaction.
    func complete(_ updates: [DeliveryUpdate]) async throws

    /// Puts the matching dead letters back to pending at `now` with a fresh attempt budget.
    ///
    /// - Returns: The deliveries redriven.
    func redrive(_ filter: DeliveryFilter, now: Int64) async throws -> [RedrivenDelivery]
}

/// A read of due deliveries that the ``DeliveryEngine`` asks for.
public struct DeliveryFetch: Sendable, Hashable {
    /// The target's name.
    public var target: String
    /// The most deliveries to return: the room the target has now.
    public var limit: Int
    /// Deliveries in flight or with an outcome not yet written: due in the store, but not to start again.
    public var excluding: Set<Int64>

    /// Creates a fetch.
    public init(target: String, limit: Int, excluding: Set<Int64>) {
        self.target = target
        self.limit = limit
        self.excluding = excluding
    }
}

/// What a ``DeliveryFetch`` found.
public struct DueDeliveries: Sendable {
    /// The due deliveries, oldest first, each with its event (`nil` when the event is gone).
    public var deliveries: [(delivery: DeliveryRecord, event: LoggedEvent?)]
    /// When the target's next pending delivery after `now` is due, if it has one.
    public var nextDueMilliseconds: Int64?

    /// Creates a result.
    public init(deliveries: [(delivery: DeliveryRecord, event: LoggedEvent?)], nextDueMilliseconds: Int64?) {
        self.deliveries = deliveries
        self.nextDueMilliseconds = nextDueMilliseconds
    }
}

/// The outcome of an attempt (or of a delivery given up before one), to write back.
public struct DeliveryUpdate: Sendable, Hashable {
    /// The delivery's id.
    public var id: Int64
    /// The delivery's new state.
    public var state: DeliveryState
    /// Attempts made, this one included.
    public var attempts: Int
    /// When the next attempt is due (milliseconds since the epoch).
    public var nextAttemptMilliseconds: Int64
    /// When the attempt started (milliseconds since the epoch); `nil` when no attempt was made.
    public var attemptMilliseconds: Int64?
    /// The attempt's failure, if it failed.
    public var failure: AttemptFailure?
    /// Why it was dead-lettered (`max-attempts`, `max-event-age`, `not-retryable`).
    public var deadLetterReason: String?

    /// Creates an update.
    public init(
        id: Int64,
        state: DeliveryState,
        attempts: Int,
        nextAttemptMilliseconds: Int64,
        attemptMilliseconds: Int64?,
        failure: AttemptFailure?,
        deadLetterReason: String?
    ) {
        self.id = id
        self.state = state
        self.attempts = attempts
        self.nextAttemptMilliseconds = nextAttemptMilliseconds
        self.attemptMilliseconds = attemptMilliseconds
        self.failure = failure
        self.deadLetterReason = deadLetterReason
    }
}

/// A dead letter put back to pending.
public struct RedrivenDelivery: Sendable, Hashable {
    /// The delivery's id.
    public var id: Int64
    /// Its target's name.
    public var target: String
    /// How many times it has been redriven, this time included.
    public var redrives: Int

    /// Creates one.
    public init(id: Int64, target: String, redrives: Int) {
        self.id = id
        self.target = target
        self.redrives = redrives
    }
}
