// SPDX-License-Identifier: Apache-2.0

/// What to do with a delivery after an attempt: done, try again later, or dead-letter it.
public enum DeliveryDecision: Sendable, Hashable {
    /// Delivered.
    case succeeded
    /// Attempt again at `atMilliseconds` (Unix epoch).
    case retry(atMilliseconds: Int64)
    /// Give up and keep it in the dead-letter queue, with why.
    case deadLetter(reason: DeadLetterReason)

    /// Why a delivery was dead-lettered.
    public enum DeadLetterReason: String, Sendable, Hashable {
        /// The failure cannot be fixed by retrying (a 4xx, a refusal).
        case notRetryable = "not-retryable"
        /// The policy's maximum attempts were used.
        case maxAttempts = "max-attempts"
        /// The next attempt would fall after the policy's maximum event age.
        case maxEventAge = "max-event-age"
    }

    /// Decides after attempt number `attempt` (1-based) of a delivery routed at `routedMilliseconds`.
    ///
    /// A `Retry-After` longer than the jittered backoff wins; a retry that would land after the
    /// maximum event age dead-letters now instead of waiting for nothing.
    public static func decide(
        after outcome: AttemptOutcome,
        attempt: Int,
        routedMilliseconds: Int64,
        nowMilliseconds: Int64,
        policy: RetryPolicy,
        random: inout some RandomNumberGenerator
    ) -> DeliveryDecision {
        guard case .failed(let failure) = outcome else {
            return .succeeded
        }
        guard failure.isRetryable else {
            return .deadLetter(reason: .notRetryable)
        }
        guard attempt < policy.maxAttempts else {
            return .deadLetter(reason: .maxAttempts)
        }
        var delay = policy.delay(afterAttempt: attempt, using: &random)
        if let retryAfter = failure.retryAfterMilliseconds {
            delay = max(delay, retryAfter)
        }
        let next = nowMilliseconds + delay
        guard next - routedMilliseconds <= policy.maxEventAgeMilliseconds else {
            return .deadLetter(reason: .maxEventAge)
        }
        return .retry(atMilliseconds: next)
    }
}
