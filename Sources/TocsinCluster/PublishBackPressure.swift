// SPDX-License-Identifier: Apache-2.0

/// One publish's way through a stream leader election: retry the same message id with backoff
/// until a configured wait, then answer "unavailable, retry after N seconds" (HTTP 503 with
/// `Retry-After`).
///
/// The driver publishes, hands the outcome to ``record(_:now:)`` and does what it says. Every
/// attempt must carry the same `Nats-Msg-Id`, and the stream's duplicate window must be longer than
/// ``Configuration/maxWaitMilliseconds`` plus one attempt, so an attempt that was stored although
/// its answer was lost is never stored again: its retry comes back as a duplicate of itself.
public struct PublishBackPressure: Sendable {
    /// Limits and rhythm.
    public struct Configuration: Sendable, Hashable {
        /// How long after the first attempt a new attempt may still start.
        public var maxWaitMilliseconds: Int64
        /// The backoff ceiling after the first failure.
        public var initialBackoffMilliseconds: Int64
        /// The largest backoff ceiling.
        public var maxBackoffMilliseconds: Int64
        /// How long a stream leader election is expected to take, for `Retry-After`.
        public var electionMilliseconds: Int64

        /// Creates a configuration (defaults: retry for 8 s, backoff from 20 ms doubling up to
        /// 500 ms, elections of 7 s: the worst measured on this machine kind was 7.2 s).
        public init(
            maxWaitMilliseconds: Int64 = 8000,
            initialBackoffMilliseconds: Int64 = 20,
            maxBackoffMilliseconds: Int64 = 500,
            electionMilliseconds: Int64 = 7000
        ) {
            self.maxWaitMilliseconds = maxWaitMilliseconds
            self.initialBackoffMilliseconds = initialBackoffMilliseconds
            self.maxBackoffMilliseconds = maxBackoffMilliseconds
            self.electionMilliseconds = electionMilliseconds
        }

        /// The backoff ceiling after `failures` consecutive failed attempts (1-based).
        public func backoffCeiling(afterFailures failures: Int) -> Int64 {
            let exponent = min(max(failures - 1, 0), 30)
            let (scaled, overflow) = initialBackoffMilliseconds.multipliedReportingOverflow(by: 1 << exponent)
            return overflow ? maxBackoffMilliseconds : min(scaled, maxBackoffMilliseconds)
        }
    }

    /// What one attempt answered.
    public enum Outcome: Sendable, Hashable {
        /// The stream stored the message at this sequence.
        case stored(sequence: Int64)
        /// The stream already had the message id, stored at this sequence (after a retry, possibly
        /// this publish's own earlier attempt).
        case duplicate(sequence: Int64)
        /// No stream leader answered: an election is under way.
        case noResponders
        /// No acknowledgement in time: the message may or may not be stored.
        case timedOut
        /// Any other error (the stream is missing, the message is too large, the request was
        /// refused): retrying the same message cannot help.
        case failed
    }

    /// What to do next.
    public enum Decision: Sendable, Hashable {
        /// Done: acknowledge the event.
        case acknowledged(sequence: Int64, isDuplicate: Bool)
        /// Publish the same message id again at this time.
        case retry(atMilliseconds: Int64)
        /// Give up for now: answer unavailable (503) with `Retry-After` in whole seconds.
        case unavailable(retryAfterSeconds: Int64)
        /// Give up: report the error.
        case failed
    }

    /// Limits and rhythm.
    public let configuration: Configuration
    /// When the first attempt started.
    public let startedMilliseconds: Int64
    /// Attempts answered so far.
    public private(set) var attempts = 0
    private var consecutiveFailures = 0
    private var firstFailureMilliseconds: Int64?
    private var random: any RandomNumberGenerator & Sendable

    /// Starts the back-pressure of one publish whose first attempt starts at `now`.
    ///
    /// - Parameters:
    ///   - configuration: Limits and rhythm.
    ///   - now: When the first attempt starts, in milliseconds since the epoch.
    ///   - random: Where backoff jitter comes from (`SystemRandomNumberGenerator` in production, a
    ///     seeded generator in tests).
    public init(
        configuration: Configuration = Configuration(),
        now: Int64,
        random: any RandomNumberGenerator & Sendable
    ) {
        self.configuration = configuration
        self.startedMilliseconds = now
        self.random = random
    }

    /// The last moment a new attempt may start.
    public var deadlineMilliseconds: Int64 { startedMilliseconds + configuration.maxWaitMilliseconds }

    /// Records an attempt's outcome at `now` and says what to do next.
    ///
    /// A retry waits between half and all of the backoff ceiling (equal jitter), and never past
    /// ``deadlineMilliseconds``: the last attempt starts at the deadline at the latest.
    public mutating func record(_ outcome: Outcome, now: Int64) -> Decision {
        attempts += 1
        switch outcome {
        case .stored(let sequence):
            return .acknowledged(sequence: sequence, isDuplicate: false)
        case .duplicate(let sequence):
            return .acknowledged(sequence: sequence, isDuplicate: true)
        case .failed:
            return .failed
        case .noResponders, .timedOut:
            consecutiveFailures += 1
            let firstFailure = firstFailureMilliseconds ?? now
            firstFailureMilliseconds = firstFailure
            guard now < deadlineMilliseconds else {
                return .unavailable(retryAfterSeconds: retryAfterSeconds(stalledSince: firstFailure, now: now))
            }
            let ceiling = configuration.backoffCeiling(afterFailures: consecutiveFailures)
            let delay = ceiling / 2 + Int64.random(in: 0...(ceiling - ceiling / 2), using: &random)
            return .retry(atMilliseconds: min(now + delay, deadlineMilliseconds))
        }
    }

    /// What is left of an election that began at the first failure, rounded up to whole seconds;
    /// a full election's worth when the stall has already outlasted one (something worse than an
    /// election is going on); at least one second.
    private func retryAfterSeconds(stalledSince firstFailure: Int64, now: Int64) -> Int64 {
        let remaining = configuration.electionMilliseconds - (now - firstFailure)
        let wait = remaining > 0 ? remaining : configuration.electionMilliseconds
        return max(1, (wait + 999) / 1000)
    }
}
