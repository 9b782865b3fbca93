// SPDX-License-Identifier: Apache-2.0

/// A per-target circuit breaker: closed → open after consecutive failures → half-open probe →
/// closed on success (or open again on failure).
///
/// A state machine that returns decisions; time is passed in (milliseconds), never read.
public struct CircuitBreaker: Sendable, Hashable {
    /// The breaker's settings.
    public struct Settings: Sendable, Hashable {
        /// Consecutive failures that open the breaker.
        public var failureThreshold: Int
        /// How long it stays open before one probe is let through.
        public var openMilliseconds: Int64

        /// Creates settings (defaults: 5 failures, 30 seconds).
        public init(failureThreshold: Int = 5, openMilliseconds: Int64 = 30_000) {
            self.failureThreshold = failureThreshold
            self.openMilliseconds = openMilliseconds
        }
    }

    /// The breaker's state.
    public enum State: Sendable, Hashable {
        case closed(consecutiveFailures: Int)
        case open(untilMilliseconds: Int64)
        case halfOpen(probeInFlight: Bool)
    }

    /// Whether an attempt may start now.
    public enum Permission: Sendable, Hashable {
        /// Go ahead.
        case allowed
        /// Go ahead as the single probe of a half-open breaker.
        case probe
        /// Not now; ask again at this time.
        case rejected(untilMilliseconds: Int64)
    }

    /// A change worth telling the operator about (and, on `closed`, a cue for automatic redrive).
    public enum Transition: Sendable, Hashable {
        case opened
        case closed
    }

    /// The breaker's current state.
    public private(set) var state: State = .closed(consecutiveFailures: 0)
    /// The breaker's settings.
    public let settings: Settings

    /// Creates a closed breaker.
    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// Asks to start an attempt at `now`.
    public mutating func permit(nowMilliseconds now: Int64) -> Permission {
        switch state {
        case .closed:
            return .allowed
        case .open(let until):
            guard now >= until else {
                return .rejected(untilMilliseconds: until)
            }
            state = .halfOpen(probeInFlight: true)
            return .probe
        case .halfOpen(let probeInFlight):
            if probeInFlight {
                return .rejected(untilMilliseconds: now + min(settings.openMilliseconds, 1000))
            }
            state = .halfOpen(probeInFlight: true)
            return .probe
        }
    }

    /// Records an attempt's result; returns the transition it caused, if any.
    public mutating func record(success: Bool, nowMilliseconds now: Int64) -> Transition? {
        switch (state, success) {
        case (.closed, true):
            state = .closed(consecutiveFailures: 0)
            return nil
        case (.closed(let failures), false):
            if failures + 1 >= settings.failureThreshold {
                state = .open(untilMilliseconds: now + settings.openMilliseconds)
                return .opened
            }
            state = .closed(consecutiveFailures: failures + 1)
            return nil
        case (.halfOpen, true):
            state = .closed(consecutiveFailures: 0)
            return .closed
        case (.halfOpen, false):
            state = .open(untilMilliseconds: now + settings.openMilliseconds)
            return .opened
        case (.open, _):
            return nil
        }
    }
}
