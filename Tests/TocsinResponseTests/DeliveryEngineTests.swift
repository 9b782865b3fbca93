// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinResponse
import TocsinTesting

/// The delivery engine as tables of input → decisions, at explicit times, with no clock and no sleep.
struct DeliveryEngineTests {
    typealias F = EngineFixtures
    static let t: Int64 = 1_000_000
    /// Long enough that the poll stays out of the tables' way.
    static let poll: Int64 = 600_000

    static let retry = RetryPolicy(
        maxAttempts: 3,
        maxEventAgeMilliseconds: 60_000,
        baseDelayMilliseconds: 1000,
        maxDelayMilliseconds: 8000
    )

    static func engine(
        maxInFlight: Int = 8,
        _ targets: [String: DeliveryEngine.Target] = [F.hook: DeliveryEngine.Target(maxConcurrency: 2, retry: retry)]
    ) -> DeliveryEngine {
        var engine = DeliveryEngine(
            configuration: .init(maxInFlight: maxInFlight, pollMilliseconds: Self.poll, flushMilliseconds: 5),
            random: CeilingRandom()
        )
        _ = engine.handle(.configured(targets), now: t)
        return engine
    }

    @Test("reads what the target has room for, and reads again once half its slots are free")
    func concurrencyAndBatchedReads() {
        let t = Self.t
        var engine = Self.engine()
        let (d1, d2) = (F.delivery(1, routed: t), F.delivery(2, routed: t))
        F.run(
            &engine,
            [
                EngineStep(t, .tick, [.findTargets, F.fetch(limit: 2)], wake: t + Self.poll),
                EngineStep(t, .pendingTargets([F.hook]), []),
                EngineStep(
                    t,
                    F.fetched(limit: 2, [d1, d2]),
                    [.start(d1, isProbe: false), .start(d2, isProbe: false)]
                ),
                // The read was full and both slots are taken: only the poll is left to wait for.
                EngineStep(t, .tick, [], wake: t + Self.poll),
                // Half the slots are free after a full read: read again at once, without waiting for
                // the outcome to be written; it stays excluded until it is.
                EngineStep(
                    t + 10,
                    F.completed(d1, .succeeded(status: 200), started: t),
                    [F.record(d1, .succeeded(status: 200), .succeeded, started: t, now: t + 10)],
                    wake: t + 10
                ),
                EngineStep(t + 10, .tick, [F.fetch(limit: 1, excluding: [1, 2])]),
                EngineStep(t + 10, F.fetched(limit: 1, excluding: [1, 2], [], next: t + 5000), [], wake: t + 15),
            ]
        )
        #expect(engine.inFlightCount == 2)
        #expect(!engine.isFlushDue(now: t + 14))
        #expect(engine.isFlushDue(now: t + 15))
        F.run(&engine, [EngineStep(t + 15, .recorded([1]), [], wake: t + 5000)])
        #expect(engine.inFlightCount == 1)
        #expect(!engine.isFlushDue(now: t + 20))
    }

    @Test("a failure retries after the backoff ceiling, or after a longer Retry-After, or dead-letters")
    func retriesAndDeadLetters() {
        let t = Self.t
        let target = DeliveryEngine.Target(
            maxConcurrency: 8,
            retry: Self.retry,
            circuitBreaker: CircuitBreaker.Settings(failureThreshold: 100)
        )
        var engine = Self.engine([F.hook: target])
        let busy = F.delivery(1, routed: t)
        let limited = F.delivery(2, routed: t)
        let refused = F.delivery(3, routed: t)
        let spent = F.delivery(4, attempts: 2, routed: t)
        let old = F.delivery(5, routed: t - 59_500)
        let timeout = F.delivery(6, attempts: 1, routed: t)
        let all = [busy, limited, refused, spent, old, timeout]
        let timedOut = AttemptOutcome.failed(AttemptFailure(kind: .timeout, message: "no answer"))
        F.run(
            &engine,
            [
                EngineStep(t, .tick, [.findTargets, F.fetch(limit: 8)]),
                EngineStep(t, F.fetched(limit: 8, all), all.map { .start($0, isProbe: false) }),
                EngineStep(
                    t + 10,
                    F.completed(busy, F.failure(503), started: t),
                    [F.record(busy, F.failure(503), .retry(atMilliseconds: t + 1010), started: t, now: t + 10)]
                ),
                EngineStep(
                    t + 10,
                    F.completed(limited, F.failure(429, retryAfter: 5000), started: t),
                    [
                        F.record(
                            limited,
                            F.failure(429, retryAfter: 5000),
                            .retry(atMilliseconds: t + 5010),
                            started: t,
                            now: t + 10
                        )
                    ]
                ),
                EngineStep(
                    t + 10,
                    F.completed(refused, F.failure(400), started: t),
                    [F.record(refused, F.failure(400), .deadLetter(reason: .notRetryable), started: t, now: t + 10)]
                ),
                EngineStep(
                    t + 10,
                    F.completed(spent, F.failure(500), started: t),
                    [F.record(spent, F.failure(500), .deadLetter(reason: .maxAttempts), started: t, now: t + 10)]
                ),
                EngineStep(
                    t + 10,
                    F.completed(old, F.failure(500), started: t),
                    [F.record(old, F.failure(500), .deadLetter(reason: .maxEventAge), started: t, now: t + 10)]
                ),
                // The second attempt's ceiling is twice the base.
                EngineStep(
                    t + 10,
                    F.completed(timeout, timedOut, started: t),
                    [F.record(timeout, timedOut, .retry(atMilliseconds: t + 2010), started: t, now: t + 10)],
                    wake: t + 15
                ),
                EngineStep(t + 15, .recorded([1, 2, 3, 4, 5, 6]), [], wake: t + 1010),
                EngineStep(t + 1010, .tick, [F.fetch(limit: 8)]),
            ]
        )
    }

    @Test("full jitter keeps every retry between now and the backoff ceiling")
    func backoffBounds() {
        let policy = RetryPolicy(
            maxAttempts: 50,
            maxEventAgeMilliseconds: 86_400_000,
            baseDelayMilliseconds: 100,
            maxDelayMilliseconds: 10_000
        )
        var engine = DeliveryEngine(random: SeededRandom(seed: 14))
        let target = DeliveryEngine.Target(
            maxConcurrency: 1,
            retry: policy,
            circuitBreaker: CircuitBreaker.Settings(failureThreshold: 1000)
        )
        _ = engine.handle(.configured([F.hook: target]), now: Self.t)
        var delays: Set<Int64> = []
        for id in Int64(1)...400 {
            let attempts = Int(id % 10)
            let now = Self.t + id
            let decisions = engine.handle(
                F.completed(F.delivery(id, attempts: attempts, routed: Self.t), F.failure(503), started: now),
                now: now
            )
            guard case .record(let update, _)? = decisions.first else {
                Issue.record("no record for delivery \(id)")
                continue
            }
            let delay = update.nextAttemptMilliseconds - now
            #expect(delay >= 0 && delay <= policy.ceiling(afterAttempt: attempts + 1))
            delays.insert(delay)
        }
        #expect(delays.count > 100, "the jitter spreads the retries")
    }

    @Test("the breaker opens, lets one probe through when its time is up, opens again, then closes and redrives")
    func breakerCycle() {
        let t = Self.t
        let target = DeliveryEngine.Target(
            maxConcurrency: 2,
            retry: RetryPolicy(maxAttempts: 10, maxEventAgeMilliseconds: 3_600_000, baseDelayMilliseconds: 1000),
            circuitBreaker: CircuitBreaker.Settings(failureThreshold: 2, openMilliseconds: 30_000),
            autoRedrive: true
        )
        var engine = Self.engine([F.hook: target])
        let (d1, d2) = (F.delivery(1, routed: t), F.delivery(2, routed: t))
        let probe = F.delivery(1, attempts: 1, routed: t, next: t + 1010)
        let again = F.delivery(1, attempts: 2, routed: t, next: t + 32_020)
        F.run(
            &engine,
            [
                EngineStep(t, .tick, [.findTargets, F.fetch(limit: 2)]),
                EngineStep(
                    t,
                    F.fetched(limit: 2, [d1, d2]),
                    [.start(d1, isProbe: false), .start(d2, isProbe: false)]
                ),
                EngineStep(
                    t + 10,
                    F.completed(d1, F.failure(503), started: t),
                    [F.record(d1, F.failure(503), .retry(atMilliseconds: t + 1010), started: t, now: t + 10)]
                ),
                EngineStep(
                    t + 10,
                    F.completed(d2, F.failure(503), started: t),
                    [
                        F.record(d2, F.failure(503), .retry(atMilliseconds: t + 1010), started: t, now: t + 10),
                        .breaker(target: F.hook, .opened),
                    ]
                ),
                // Open: nothing is read until the breaker's time is up, though retries fall due before.
                EngineStep(t + 15, .recorded([1, 2]), [], wake: t + 30_010),
                EngineStep(t + 1010, .tick, [], wake: t + 30_010),
                EngineStep(t + 1010, .routed, []),
                EngineStep(t + 30_010, .tick, [F.fetch(limit: 1)]),
                EngineStep(t + 30_010, F.fetched(limit: 1, [probe]), [.start(probe, isProbe: true)]),
                // Half-open with the probe in flight: nothing else starts.
                EngineStep(t + 30_011, .routed, []),
                EngineStep(
                    t + 30_020,
                    F.completed(probe, F.failure(503), started: t + 30_010),
                    [
                        F.record(
                            probe,
                            F.failure(503),
                            .retry(atMilliseconds: t + 32_020),
                            started: t + 30_010,
                            now: t + 30_020
                        ),
                        .breaker(target: F.hook, .opened),
                    ]
                ),
                EngineStep(t + 30_025, .recorded([1]), [], wake: t + 60_020),
                EngineStep(t + 60_020, .tick, [F.fetch(limit: 1)]),
                EngineStep(t + 60_020, F.fetched(limit: 1, [again]), [.start(again, isProbe: true)]),
                EngineStep(
                    t + 60_030,
                    F.completed(again, .succeeded(status: 204), started: t + 60_020),
                    [
                        F.record(again, .succeeded(status: 204), .succeeded, started: t + 60_020, now: t + 60_030),
                        .breaker(target: F.hook, .closed),
                        .redrive(target: F.hook),
                    ]
                ),
                EngineStep(t + 60_035, .recorded([1]), []),
                EngineStep(t + 60_035, .redriven(target: F.hook), [F.fetch(limit: 2)]),
            ]
        )
        #expect(engine.breakerState(of: F.hook) == .closed(consecutiveFailures: 0))
    }

    @Test("a delivery past its maximum event age is dead-lettered without an attempt")
    func maxEventAgeAtAdmission() {
        let t = Self.t
        var engine = Self.engine()
        let stale = F.delivery(1, attempts: 1, routed: t - 70_000, next: t - 100)
        let fresh = F.delivery(2, routed: t - 1000)
        let update = DeliveryUpdate(
            id: 1,
            state: .deadLettered,
            attempts: 1,
            nextAttemptMilliseconds: t - 100,
            attemptMilliseconds: nil,
            failure: nil,
            deadLetterReason: "max-event-age"
        )
        let record = DeliveryAttemptRecord(
            delivery: stale,
            attempt: 2,
            outcome: nil,
            decision: .deadLetter(reason: .maxEventAge),
            detail: nil
        )
        F.run(
            &engine,
            [
                EngineStep(t, .tick, [.findTargets, F.fetch(limit: 2)]),
                EngineStep(
                    t,
                    F.fetched(limit: 2, [stale, fresh]),
                    [.record(update, record), .start(fresh, isProbe: false)],
                    wake: t + 5
                ),
            ]
        )
    }

    @Test("attempts in flight when the process stopped are read and started again by the next engine")
    func orphanRecovery() {
        let t = Self.t
        var before = Self.engine()
        let d1 = F.delivery(1, routed: t)
        F.run(
            &before,
            [
                EngineStep(t, .tick, [.findTargets, F.fetch(limit: 2)]),
                EngineStep(t, F.fetched(limit: 2, [d1]), [.start(d1, isProbe: false)]),
            ]
        )
        // The process stops here: no completion is ever handed in, and the row stays pending.
        var after = Self.engine()
        let gone = F.delivery(7, target: "gone", routed: t)
        let missing = AttemptOutcome.failed(AttemptFailure(kind: .targetMissing, message: "no such target"))
        F.run(
            &after,
            [
                EngineStep(t + 5000, .tick, [.findTargets, F.fetch(limit: 2)]),
                EngineStep(t + 5000, .pendingTargets([F.hook, "gone"]), [F.fetch("gone", limit: 1)]),
                EngineStep(t + 5000, F.fetched(limit: 2, [d1]), [.start(d1, isProbe: false)]),
                EngineStep(t + 5000, F.fetched("gone", limit: 1, [gone]), [.start(gone, isProbe: false)]),
                EngineStep(
                    t + 5010,
                    F.completed(gone, missing, started: t + 5000),
                    [F.record(gone, missing, .deadLetter(reason: .notRetryable), started: t + 5000, now: t + 5010)]
                ),
                EngineStep(t + 5015, .recorded([7]), []),
            ]
        )
        #expect(after.inFlightCount == 1)
    }

    @Test("the overall in-flight limit holds across targets")
    func overallLimit() {
        let t = Self.t
        let target = DeliveryEngine.Target(maxConcurrency: 2, retry: Self.retry)
        var engine = Self.engine(maxInFlight: 1, ["a": target, "b": target])
        let (a1, b1) = (F.delivery(1, target: "a", routed: t), F.delivery(2, target: "b", routed: t))
        F.run(
            &engine,
            [
                EngineStep(t, .tick, [.findTargets, F.fetch("a", limit: 1), F.fetch("b", limit: 1)]),
                EngineStep(t, F.fetched("a", limit: 1, [a1]), [.start(a1, isProbe: false)]),
                EngineStep(t, F.fetched("b", limit: 1, [b1]), [], wake: t + Self.poll),
                EngineStep(
                    t + 10,
                    F.completed(a1, .succeeded(status: 200), started: t),
                    [F.record(a1, .succeeded(status: 200), .succeeded, started: t, now: t + 10)]
                ),
                EngineStep(t + 15, .recorded([1]), [], wake: t + 15),
                EngineStep(t + 15, .tick, [F.fetch("a", limit: 1), F.fetch("b", limit: 1)]),
            ]
        )
    }
}
