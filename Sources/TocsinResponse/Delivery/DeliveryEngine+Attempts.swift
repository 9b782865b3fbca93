// SPDX-License-Identifier: Apache-2.0

extension DeliveryEngine {
    /// Starts what the read found, as far as room and the breaker allow; dead-letters what is past
    /// its target's maximum event age without attempting it.
    mutating func admit(
        _ fetch: DeliveryFetch,
        deliveries: [DeliveryRecord],
        nextDue: Int64?,
        now: Int64
    ) -> [Decision] {
        guard var state = targets[fetch.target] else {
            return []
        }
        // A full read used all the room: the target is read again when outcomes free some.
        state.hasMore = deliveries.count >= fetch.limit
        state.nextDue = state.hasMore ? nil : nextDue
        if state.settings == nil, deliveries.isEmpty, nextDue == nil, state.isIdle {
            // No deliveries left for a target that no longer exists.
            targets[fetch.target] = nil
            return []
        }
        var decisions: [Decision] = []
        // The state is taken out of the table while it changes, so its sets are not copied on write.
        targets[fetch.target] = nil
        defer { targets[fetch.target] = state }
        for delivery in deliveries
        where delivery.state == .pending && !state.running.contains(delivery.id)
            && !state.unrecorded.contains(delivery.id)
        {
            if let settings = state.settings,
                now - delivery.routedMilliseconds > settings.retry.maxEventAgeMilliseconds
            {
                decisions.append(expire(delivery, state: &state, now: now))
                continue
            }
            guard room(for: state, now: now) > 0 else {
                state.hasMore = true
                break
            }
            var isProbe = false
            if state.settings != nil {
                switch state.breaker.permit(nowMilliseconds: now) {
                case .allowed:
                    break
                case .probe:
                    isProbe = true
                case .rejected(let until):
                    state.nextDue = max(state.nextDue ?? until, until)
                    return decisions
                }
            }
            state.running.insert(delivery.id)
            targetOf[delivery.id] = fetch.target
            decisions.append(.start(delivery, isProbe: isProbe))
        }
        return decisions
    }

    /// Dead-letters a delivery older than its target's maximum event age, with no attempt.
    private mutating func expire(_ delivery: DeliveryRecord, state: inout TargetState, now: Int64) -> Decision {
        let reason = DeliveryDecision.DeadLetterReason.maxEventAge
        state.unrecorded.insert(delivery.id)
        targetOf[delivery.id] = delivery.target
        unrecordedSince = min(unrecordedSince ?? now, now)
        let update = DeliveryUpdate(
            id: delivery.id,
            state: .deadLettered,
            attempts: delivery.attempts,
            nextAttemptMilliseconds: delivery.nextAttemptMilliseconds,
            attemptMilliseconds: nil,
            failure: nil,
            deadLetterReason: reason.rawValue
        )
        let record = DeliveryAttemptRecord(
            delivery: delivery,
            attempt: delivery.attempts + 1,
            outcome: nil,
            decision: .deadLetter(reason: reason),
            detail: nil
        )
        return .record(update, record)
    }

    /// Decides what an attempt's outcome means: the row and event to write, the breaker's
    /// transition, and an automatic redrive when the breaker closes.
    mutating func complete(_ completion: Completion, now: Int64) -> [Decision] {
        let delivery = completion.delivery
        // Taken out of the table while it changes, so its sets are not copied on write.
        var state = targets.removeValue(forKey: delivery.target) ?? TargetState(settings: nil, nextDue: nil)
        state.running.remove(delivery.id)
        state.unrecorded.insert(delivery.id)
        targetOf[delivery.id] = delivery.target
        unrecordedSince = min(unrecordedSince ?? now, now)
        let attempt = delivery.attempts + 1
        let decision = DeliveryDecision.decide(
            after: completion.outcome,
            attempt: attempt,
            routedMilliseconds: delivery.routedMilliseconds,
            nowMilliseconds: now,
            policy: state.settings?.retry ?? RetryPolicy(),
            random: &random
        )
        var failure: AttemptFailure?
        if case .failed(let value) = completion.outcome {
            failure = value
        }
        var decisions: [Decision] = []
        if let settings = state.settings {
            switch state.breaker.record(success: failure == nil, nowMilliseconds: now) {
            case .opened?:
                decisions.append(.breaker(target: delivery.target, .opened))
            case .closed?:
                decisions.append(.breaker(target: delivery.target, .closed))
                if settings.autoRedrive {
                    decisions.append(.redrive(target: delivery.target))
                }
            case nil:
                break
            }
        }
        var update = DeliveryUpdate(
            id: delivery.id,
            state: .pending,
            attempts: attempt,
            nextAttemptMilliseconds: now,
            attemptMilliseconds: completion.startedMilliseconds,
            failure: failure,
            deadLetterReason: nil
        )
        switch decision {
        case .succeeded:
            update.state = .succeeded
        case .retry(let at):
            update.nextAttemptMilliseconds = at
            state.nextDue = min(state.nextDue ?? at, at)
        case .deadLetter(let reason):
            update.state = .deadLettered
            update.deadLetterReason = reason.rawValue
        }
        // The last read was full, so more are due: read again once half the target's slots are free,
        // without waiting for the outcomes to be written (they stay excluded from reads until then).
        if state.hasMore, let settings = state.settings,
            settings.maxConcurrency - state.running.count >= max(1, settings.maxConcurrency / 2)
        {
            state.nextDue = now
        }
        targets[delivery.target] = state
        let record = DeliveryAttemptRecord(
            delivery: delivery,
            attempt: attempt,
            outcome: completion.outcome,
            decision: decision,
            detail: completion.detail
        )
        return [.record(update, record)] + decisions
    }

    /// Forgets deliveries whose outcomes are written: they no longer hold room or need excluding.
    ///
    /// Ends the write under way, if any. Every target whose last read was full is read again now.
    mutating func recorded(_ ids: [Int64], now: Int64) {
        isWriting = false
        var freed = false
        for id in ids {
            guard let name = targetOf.removeValue(forKey: id) else {
                continue
            }
            freed = true
            targets[name]?.unrecorded.remove(id)
        }
        if freed {
            for (name, state) in targets where state.hasMore {
                targets[name]?.nextDue = now
            }
        }
        if !targets.values.contains(where: { !$0.unrecorded.isEmpty }) {
            unrecordedSince = nil
        }
    }
}
