// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinResponse
import TocsinTesting

/// Retry decisions and backoff bounds, with a seeded random source and explicit times.
struct RetryPolicyTests {
    let policy = RetryPolicy(
        maxAttempts: 5,
        maxEventAgeMilliseconds: 60_000,
        baseDelayMilliseconds: 100,
        maxDelayMilliseconds: 1000
    )

    @Test func fullJitterStaysUnderTheExponentialCeiling() {
        var random = SeededRandom(seed: 1)
        #expect(policy.ceiling(afterAttempt: 1) == 100)
        #expect(policy.ceiling(afterAttempt: 2) == 200)
        #expect(policy.ceiling(afterAttempt: 4) == 800)
        #expect(policy.ceiling(afterAttempt: 5) == 1000)
        #expect(policy.ceiling(afterAttempt: 200) == 1000)
        for attempt in 1...10 {
            var seen: Set<Int64> = []
            for _ in 0..<200 {
                let delay = policy.delay(afterAttempt: attempt, using: &random)
                #expect(delay >= 0 && delay <= policy.ceiling(afterAttempt: attempt))
                seen.insert(delay)
            }
            #expect(seen.count > 20, "jitter spreads the delays")
        }
    }

    @Test func statusCodesDecideWhetherToRetry() {
        func retryable(_ status: Int) -> Bool {
            AttemptFailure(kind: .httpStatus, status: status, message: "").isRetryable
        }
        #expect(retryable(500) && retryable(503) && retryable(408) && retryable(429))
        #expect(!retryable(400) && !retryable(401) && !retryable(404) && !retryable(422))
        #expect(AttemptFailure(kind: .timeout, message: "").isRetryable)
        #expect(!AttemptFailure(kind: .rejected, message: "").isRetryable)
        #expect(!AttemptFailure(kind: .targetMissing, message: "").isRetryable)
    }

    @Test func decisions() {
        var random = SeededRandom(seed: 7)
        let failure = AttemptOutcome.failed(AttemptFailure(kind: .httpStatus, status: 503, message: "503"))
        #expect(
            DeliveryDecision.decide(
                after: .succeeded(status: 200),
                attempt: 1,
                routedMilliseconds: 0,
                nowMilliseconds: 10,
                policy: policy,
                random: &random
            )
                == .succeeded
        )
        guard
            case .retry(let at) = DeliveryDecision.decide(
                after: failure,
                attempt: 1,
                routedMilliseconds: 0,
                nowMilliseconds: 1000,
                policy: policy,
                random: &random
            )
        else {
            Issue.record("expected a retry")
            return
        }
        #expect(at >= 1000 && at <= 1100)
        #expect(
            DeliveryDecision.decide(
                after: failure,
                attempt: 5,
                routedMilliseconds: 0,
                nowMilliseconds: 1000,
                policy: policy,
                random: &random
            )
                == .deadLetter(reason: .maxAttempts)
        )
        let nearTheEnd = DeliveryDecision.decide(
            after: failure,
            attempt: 2,
            routedMilliseconds: 0,
            nowMilliseconds: 60_001,
            policy: policy,
            random: &random
        )
        #expect(nearTheEnd == .deadLetter(reason: .maxEventAge))
        let badRequest = AttemptOutcome.failed(AttemptFailure(kind: .httpStatus, status: 400, message: "400"))
        #expect(
            DeliveryDecision.decide(
                after: badRequest,
                attempt: 1,
                routedMilliseconds: 0,
                nowMilliseconds: 0,
                policy: policy,
                random: &random
            )
                == .deadLetter(reason: .notRetryable)
        )
        let tooMany = AttemptOutcome.failed(
            AttemptFailure(kind: .httpStatus, status: 429, retryAfterMilliseconds: 30_000, message: "429")
        )
        #expect(
            DeliveryDecision.decide(
                after: tooMany,
                attempt: 1,
                routedMilliseconds: 0,
                nowMilliseconds: 0,
                policy: policy,
                random: &random
            )
                == .retry(atMilliseconds: 30_000),
            "Retry-After wins over a shorter backoff"
        )
        let late = AttemptOutcome.failed(
            AttemptFailure(kind: .httpStatus, status: 429, retryAfterMilliseconds: 120_000, message: "429")
        )
        #expect(
            DeliveryDecision.decide(
                after: late,
                attempt: 1,
                routedMilliseconds: 0,
                nowMilliseconds: 0,
                policy: policy,
                random: &random
            )
                == .deadLetter(reason: .maxEventAge)
        )
    }
}

/// The breaker's transitions.
struct CircuitBreakerTests {
    @Test func opensAfterConsecutiveFailuresProbesAndCloses() {
        var breaker = CircuitBreaker(settings: .init(failureThreshold: 3, openMilliseconds: 1000))
        #expect(breaker.permit(nowMilliseconds: 0) == .allowed)
        #expect(breaker.record(success: false, nowMilliseconds: 0) == nil)
        #expect(breaker.record(success: true, nowMilliseconds: 1) == nil, "a success resets the count")
        #expect(breaker.record(success: false, nowMilliseconds: 2) == nil)
        #expect(breaker.record(success: false, nowMilliseconds: 3) == nil)
        #expect(breaker.record(success: false, nowMilliseconds: 4) == .opened)
        #expect(breaker.permit(nowMilliseconds: 500) == .rejected(untilMilliseconds: 1004))
        #expect(breaker.permit(nowMilliseconds: 1004) == .probe)
        #expect(breaker.permit(nowMilliseconds: 1005) != .allowed, "one probe at a time")
        #expect(breaker.record(success: false, nowMilliseconds: 1010) == .opened)
        #expect(breaker.permit(nowMilliseconds: 2010) == .probe)
        #expect(breaker.record(success: true, nowMilliseconds: 2020) == .closed)
        #expect(breaker.permit(nowMilliseconds: 2021) == .allowed)
        #expect(breaker.state == .closed(consecutiveFailures: 0))
    }
}
