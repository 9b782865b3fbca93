// SPDX-License-Identifier: Apache-2.0

/// How long and how often a target's deliveries are retried.
///
/// Defaults are EventBridge's: 185 attempts within 24 hours, exponential backoff with full jitter
/// (a uniformly random delay between zero and `min(maxDelay, baseDelay × 2^(attempt-1))`).
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in total, the first included.
    public var maxAttempts: Int
    /// After this much time since the event was routed, no further attempt is made.
    public var maxEventAgeMilliseconds: Int64
    /// The backoff ceiling before jitter for the first retry.
    public var baseDelayMilliseconds: Int64
    /// The largest backoff ceiling.
    public var maxDelayMilliseconds: Int64

    /// Creates a policy.
    public init(
        maxAttempts: Int = 185,
        maxEventAgeMilliseconds: Int64 = 86_400_000,
        baseDelayMilliseconds: Int64 = 1000,
        maxDelayMilliseconds: Int64 = 300_000
    ) {
        self.maxAttempts = maxAttempts
        self.maxEventAgeMilliseconds = maxEventAgeMilliseconds
        self.baseDelayMilliseconds = baseDelayMilliseconds
        self.maxDelayMilliseconds = maxDelayMilliseconds
    }

    /// The backoff ceiling after attempt number `attempt` (1-based) failed.
    public func ceiling(afterAttempt attempt: Int) -> Int64 {
        let exponent = min(max(attempt - 1, 0), 40)
        let (scaled, overflow) = baseDelayMilliseconds.multipliedReportingOverflow(by: Int64(1) << Int64(exponent))
        return overflow ? maxDelayMilliseconds : min(scaled, maxDelayMilliseconds)
    }

    /// A full-jitter delay after attempt `attempt` failed, drawn from `random`.
    public func delay(afterAttempt attempt: Int, using random: inout some RandomNumberGenerator) -> Int64 {
        Int64.random(in: 0...ceiling(afterAttempt: attempt), using: &random)
    }
}
