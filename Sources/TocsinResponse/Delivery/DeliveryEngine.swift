// SPDX-License-Identifier: Apache-2.0

/// The delivery path's decisions as one pure state machine: which deliveries to read and start,
/// what each attempt's outcome means (``DeliveryDecision``), each target's ``CircuitBreaker``,
/// the rows and events to write, and when to look again.
///
/// It does no I/O and reads no clock: every ``Input`` comes with `now` (milliseconds since the
/// epoch), and the only randomness (backoff jitter) comes from the generator it is given. A thin
/// loop in the runtime carries out its ``Decision``s against a ``DeliveryQueue`` and sleeps until
/// ``nextWake(now:)`` or until something happens.
///
/// The store keeps a delivery `pending` while its attempt runs, so after a crash the attempts that
/// were in flight are simply due again: a new engine reads them on its first ``Input/tick`` and
/// starts them (at-least-once; receivers de-duplicate on the idempotency key).
public struct DeliveryEngine: Sendable {
    /// The engine's limits and rhythm.
    public struct Configuration: Sendable, Hashable {
        /// Attempts running or waiting to be written at once, over all targets.
        public var maxInFlight: Int
        /// How often every target is looked at even when nothing announced work (deliveries of
        /// deleted targets, changes written by another process), in milliseconds.
        public var pollMilliseconds: Int64
        /// How long an outcome may wait to be written with others, in milliseconds.
        public var flushMilliseconds: Int64

        /// Creates a configuration (defaults: 256 in flight, a poll every second, 5 ms batches).
        public init(maxInFlight: Int = 256, pollMilliseconds: Int64 = 1000, flushMilliseconds: Int64 = 5) {
            self.maxInFlight = maxInFlight
            self.pollMilliseconds = pollMilliseconds
            self.flushMilliseconds = flushMilliseconds
        }
    }

    /// One target's share of the engine's state.
    struct TargetState: Sendable {
        /// The target's settings; `nil` when no such target exists (its deliveries dead-letter).
        var settings: Target?
        var breaker: CircuitBreaker
        /// Attempts running.
        var running: Set<Int64> = []
        /// Outcomes decided but not yet written: the rows are still due in the queue.
        var unrecorded: Set<Int64> = []
        /// The earliest time a delivery not in flight may be due; `nil` when none is known.
        var nextDue: Int64?
        /// The last read filled its limit: more may be due.
        var hasMore = false

        init(settings: Target?, nextDue: Int64?) {
            self.settings = settings
            self.breaker = CircuitBreaker(settings: settings?.circuitBreaker ?? CircuitBreaker.Settings())
            self.nextDue = nextDue
        }

        var excluded: Set<Int64> { running.union(unrecorded) }
        var isIdle: Bool { running.isEmpty && unrecorded.isEmpty }
    }

    /// The engine's settings.
    public let configuration: Configuration
    var targets: [String: TargetState] = [:]
    /// Which target each delivery in flight or waiting to be written belongs to.
    var targetOf: [Int64: String] = [:]
    /// When the oldest outcome not yet handed to a write was decided.
    var unrecordedSince: Int64?
    /// A write of outcomes is under way: the next one waits for it (one writer, in order).
    var isWriting = false
    /// When every target is looked at next; the first tick polls.
    private var pollAt: Int64 = .min
    var random: any RandomNumberGenerator & Sendable

    /// Creates an engine with no targets and nothing in flight.
    ///
    /// - Parameters:
    ///   - configuration: Limits and rhythm.
    ///   - random: Where backoff jitter comes from (`SystemRandomNumberGenerator` in production, a
    ///     seeded generator in tests).
    public init(configuration: Configuration = Configuration(), random: any RandomNumberGenerator & Sendable) {
        self.configuration = configuration
        self.random = random
    }

    /// Deliveries running or waiting to be written, over all targets.
    public var inFlightCount: Int { targetOf.count }

    /// The state of `target`'s breaker (closed when the engine does not know the target).
    public func breakerState(of target: String) -> CircuitBreaker.State {
        targets[target]?.breaker.state ?? .closed(consecutiveFailures: 0)
    }

    /// Handles one input at `now` and returns what to do, in order.
    public mutating func handle(_ input: Input, now: Int64) -> [Decision] {
        switch input {
        case .configured(let settings):
            configure(settings, now: now)
            return []
        case .routed:
            for name in targets.keys where targets[name]?.settings != nil {
                targets[name]?.nextDue = now
            }
            return plan(now: now)
        case .redriven(let target):
            if let target {
                targets[target, default: TargetState(settings: nil, nextDue: now)].nextDue = now
            } else {
                for name in targets.keys {
                    targets[name]?.nextDue = now
                }
            }
            return plan(now: now)
        case .tick:
            guard now >= pollAt else {
                return plan(now: now)
            }
            pollAt = now + configuration.pollMilliseconds
            for name in targets.keys {
                targets[name]?.nextDue = now
            }
            return [.findTargets] + plan(now: now)
        case .pendingTargets(let names):
            for name in names where targets[name] == nil {
                targets[name] = TargetState(settings: nil, nextDue: now)
            }
            return plan(now: now)
        case .fetched(let fetch, let deliveries, let nextDue):
            return admit(fetch, deliveries: deliveries, nextDue: nextDue, now: now)
        case .completed(let completion):
            return complete(completion, now: now)
        case .writing:
            isWriting = true
            unrecordedSince = nil
            return []
        case .recorded(let ids):
            recorded(ids, now: now)
            return []
        case .writeFailed:
            isWriting = false
            if !targets.values.allSatisfy(\.unrecorded.isEmpty) {
                unrecordedSince = min(unrecordedSince ?? now, now)
            }
            return []
        }
    }

    /// Whether outcomes should be written now: the oldest one not yet handed to a write has waited
    /// ``Configuration/flushMilliseconds``, and no write is under way.
    public func isFlushDue(now: Int64) -> Bool {
        !isWriting && (unrecordedSince.map { $0 + configuration.flushMilliseconds <= now } ?? false)
    }

    /// When the loop should next hand the engine a ``Input/tick``.
    ///
    /// The earliest of the next poll, the flush of waiting outcomes (unless a write is under way:
    /// its end wakes the loop), and each target's next due delivery that it has room to start (a
    /// target whose breaker is open waits for the breaker). May be at or before `now`.
    public func nextWake(now: Int64) -> Int64 {
        var wake = pollAt
        if let since = unrecordedSince, !isWriting {
            wake = min(wake, since + configuration.flushMilliseconds)
        }
        guard inFlightCount < configuration.maxInFlight else {
            return wake
        }
        for state in targets.values {
            guard let due = state.nextDue else {
                continue
            }
            switch state.breaker.state {
            case .open(let until) where until > now:
                wake = min(wake, max(due, until))
            case .halfOpen(probeInFlight: true):
                continue
            default:
                if room(for: state, now: now) > 0 {
                    wake = min(wake, due)
                }
            }
        }
        return wake
    }

    private mutating func configure(_ settings: [String: Target], now: Int64) {
        for (name, target) in settings {
            var state = targets[name] ?? TargetState(settings: target, nextDue: now)
            if state.settings?.circuitBreaker != target.circuitBreaker {
                state.breaker = CircuitBreaker(settings: target.circuitBreaker)
            }
            if state.settings != target {
                state.nextDue = now
            }
            state.settings = target
            targets[name] = state
        }
        for (name, state) in targets where settings[name] == nil {
            // A deleted target's pending deliveries are found by the next poll and dead-lettered.
            if state.isIdle {
                targets[name] = nil
            } else {
                targets[name]?.settings = nil
            }
        }
    }

    /// How many attempts `state`'s target may start now: its free concurrency (one probe at most
    /// while its breaker is open past its time or half-open), within the overall limit.
    func room(for state: TargetState, now: Int64) -> Int {
        let overall = configuration.maxInFlight - inFlightCount
        guard overall > 0 else {
            return 0
        }
        switch state.breaker.state {
        case .open(let until) where until > now:
            return 0
        case .halfOpen(probeInFlight: true):
            return 0
        case .open, .halfOpen:
            return state.running.isEmpty ? 1 : 0
        case .closed:
            return max(0, min(overall, (state.settings?.maxConcurrency ?? 1) - state.running.count))
        }
    }

    /// The reads to make now: one per target that may have due deliveries and has room.
    ///
    /// The read's answer says when the target is due next, so it is not read again before that.
    private mutating func plan(now: Int64) -> [Decision] {
        var decisions: [Decision] = []
        for name in targets.keys.sorted() {
            guard let state = targets[name], let due = state.nextDue, due <= now else {
                continue
            }
            let room = room(for: state, now: now)
            if room > 0 {
                targets[name]?.nextDue = nil
                decisions.append(.fetch(DeliveryFetch(target: name, limit: room, excluding: state.excluded)))
            }
        }
        return decisions
    }
}
