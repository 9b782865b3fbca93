// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinResponse

/// A generator whose every draw is the largest value: full jitter then waits the whole ceiling,
/// so a table can name exact retry times.
struct CeilingRandom: RandomNumberGenerator, Sendable {
    mutating func next() -> UInt64 { .max }
}

/// One input at one time, and the decisions it must produce.
struct EngineStep: Sendable {
    var now: Int64
    var input: DeliveryEngine.Input
    var expected: [DeliveryEngine.Decision]
    var wake: Int64?

    init(_ now: Int64, _ input: DeliveryEngine.Input, _ expected: [DeliveryEngine.Decision], wake: Int64? = nil) {
        self.now = now
        self.input = input
        self.expected = expected
        self.wake = wake
    }
}

/// Builders for the engine's tables.
enum EngineFixtures {
    static let hook = "hook"

    static func delivery(
        _ id: Int64,
        target: String = hook,
        attempts: Int = 0,
        routed: Int64 = 0,
        next: Int64 = 0,
        redrives: Int = 0
    ) -> DeliveryRecord {
        DeliveryRecord(
            id: id,
            eventSequence: 100 + id,
            rule: "rule",
            target: target,
            input: nil,
            state: .pending,
            attempts: attempts,
            routedMilliseconds: routed,
            nextAttemptMilliseconds: next,
            firstAttemptMilliseconds: nil,
            lastAttemptMilliseconds: nil,
            lastFailure: nil,
            deadLetterReason: nil,
            redrives: redrives
        )
    }

    static func fetch(_ target: String = hook, limit: Int, excluding: Set<Int64> = []) -> DeliveryEngine.Decision {
        .fetch(DeliveryFetch(target: target, limit: limit, excluding: excluding))
    }

    static func fetched(
        _ target: String = hook,
        limit: Int,
        excluding: Set<Int64> = [],
        _ deliveries: [DeliveryRecord],
        next: Int64? = nil
    ) -> DeliveryEngine.Input {
        .fetched(
            DeliveryFetch(target: target, limit: limit, excluding: excluding),
            deliveries: deliveries,
            nextDueMilliseconds: next
        )
    }

    static func completed(_ delivery: DeliveryRecord, _ outcome: AttemptOutcome, started: Int64) -> DeliveryEngine.Input
    {
        .completed(
            DeliveryEngine.Completion(delivery: delivery, outcome: outcome, detail: nil, startedMilliseconds: started)
        )
    }

    static func failure(_ status: Int, retryAfter: Int64? = nil) -> AttemptOutcome {
        .failed(
            AttemptFailure(kind: .httpStatus, status: status, retryAfterMilliseconds: retryAfter, message: "status")
        )
    }

    /// The record of an attempt: the row to write and the event's content.
    static func record(
        _ delivery: DeliveryRecord,
        _ outcome: AttemptOutcome,
        _ decision: DeliveryDecision,
        started: Int64,
        now: Int64
    ) -> DeliveryEngine.Decision {
        var failure: AttemptFailure?
        if case .failed(let value) = outcome {
            failure = value
        }
        var update = DeliveryUpdate(
            id: delivery.id,
            state: .pending,
            attempts: delivery.attempts + 1,
            nextAttemptMilliseconds: now,
            attemptMilliseconds: started,
            failure: failure,
            deadLetterReason: nil
        )
        switch decision {
        case .succeeded:
            update.state = .succeeded
        case .retry(let at):
            update.nextAttemptMilliseconds = at
        case .deadLetter(let reason):
            update.state = .deadLettered
            update.deadLetterReason = reason.rawValue
        }
        let record = DeliveryAttemptRecord(
            delivery: delivery,
            attempt: delivery.attempts + 1,
            outcome: outcome,
            decision: decision,
            detail: nil
        )
        return .record(update, record)
    }

    /// Runs `steps` in order against `engine`, expecting each step's decisions (and wake time, when given).
    static func run(
        _ engine: inout DeliveryEngine,
        _ steps: [EngineStep],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for (index, step) in steps.enumerated() {
            let decisions = engine.handle(step.input, now: step.now)
            #expect(decisions == step.expected, "step \(index) at \(step.now)", sourceLocation: sourceLocation)
            if let wake = step.wake {
                #expect(
                    engine.nextWake(now: step.now) == wake,
                    "wake after step \(index)",
                    sourceLocation: sourceLocation
                )
            }
        }
    }
}
