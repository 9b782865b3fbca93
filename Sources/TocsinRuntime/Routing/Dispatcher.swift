// SPDX-License-Identifier: Apache-2.0

import Logging
import TocsinConfig
import TocsinCore
import TocsinResponse
import TocsinStore

/// The delivery loop's state.
///
/// What is in flight, per-target concurrency and breakers, and the outcomes waiting to be written.
/// Decisions come from ``DeliveryDecision`` and ``CircuitBreaker``.
struct Dispatcher {
    let maxInFlight: Int
    /// Derives the ids of the attempt events, so a replay repeats the same id on this node only.
    let identifiers: EventIdentifiers
    var inFlightByTarget: [String: Set<Int64>] = [:]
    var orphanCheck: Int64 = 0
    /// Every delivery in flight and its target (until its outcome is written).
    private var targetOf: [Int64: String] = [:]
    var perTarget: [String: Int] = [:]
    var breakers: [String: CircuitBreaker] = [:]
    var updates: [DeliveryUpdate] = []
    var events: [CloudEvent] = []
    var redriveTargets: [String] = []
    var nextDueHint: Int64 = 0
    var random = SystemRandomNumberGenerator()

    init(maxInFlight: Int, identifiers: EventIdentifiers) {
        self.maxInFlight = maxInFlight
        self.identifiers = identifiers
    }

    /// How many attempts `name` may start now: its free concurrency (none while its breaker is
    /// open or probing), within the overall limit.
    func room(for name: String, target: TargetDefinition?, now: Int64) -> Int {
        let overall = maxInFlight - targetOf.count
        guard overall > 0 else {
            return 0
        }
        switch breakers[name]?.state {
        case .open(let until)? where until > now: return 0
        case .halfOpen(probeInFlight: true)?: return 0
        case .open?, .halfOpen?: return 1
        default: break
        }
        return min(overall, (target?.maxConcurrency ?? 1) - perTarget[name, default: 0])
    }

    /// The ids in flight to `name`.
    func inFlight(for name: String) -> Set<Int64> {
        inFlightByTarget[name] ?? []
    }

    /// Whether `delivery` may start now; if so it is counted as in flight.
    mutating func admit(_ delivery: DeliveryRecord, target: TargetDefinition?, now: Int64) -> Bool {
        if let target {
            guard perTarget[target.name, default: 0] < target.maxConcurrency else {
                return false
            }
            var breaker =
                breakers[target.name].flatMap { $0.settings == target.circuitBreaker ? $0 : nil }
                ?? CircuitBreaker(settings: target.circuitBreaker)
            let permission = breaker.permit(nowMilliseconds: now)
            breakers[target.name] = breaker
            if case .rejected = permission {
                return false
            }
        }
        perTarget[delivery.target, default: 0] += 1
        inFlightByTarget[delivery.target, default: []].insert(delivery.id)
        targetOf[delivery.id] = delivery.target
        return true
    }

    /// Forgets a delivery whose outcome is written.
    mutating func finish(_ id: Int64) {
        if let target = targetOf.removeValue(forKey: id) {
            inFlightByTarget[target]?.remove(id)
        }
    }

    /// Applies an attempt's outcome: the decision, the breaker, the update and the event to write.
    mutating func complete(_ completion: DeliveryService.Completion, table: RoutingTable, logger: Logger) {
        let delivery = completion.delivery
        perTarget[delivery.target, default: 1] -= 1
        nextDueHint = min(nextDueHint, DeliveryService.now())
        let now = DeliveryService.now()
        let target = table.targets[delivery.target]
        let attempt = delivery.attempts + 1
        let decision = DeliveryDecision.decide(
            after: completion.outcome,
            attempt: attempt,
            routedMilliseconds: delivery.routedMilliseconds,
            nowMilliseconds: now,
            policy: target?.retry ?? RetryPolicy(),
            random: &random
        )
        var failure: AttemptFailure?
        if case .failed(let value) = completion.outcome {
            failure = value
        }
        if let target, var breaker = breakers[target.name] {
            switch breaker.record(success: failure == nil, nowMilliseconds: now) {
            case .opened?:
                logger.warning("Circuit opened; deliveries to the target wait.", metadata: ["target": "\(target.name)"])
                events.append(Self.breakerEvent(target: target.name, opened: true))
            case .closed?:
                logger.notice("Circuit closed; the target recovered.", metadata: ["target": "\(target.name)"])
                events.append(Self.breakerEvent(target: target.name, opened: false))
                if target.autoRedrive {
                    redriveTargets.append(target.name)
                }
            case nil:
                break
            }
            breakers[target.name] = breaker
        }
        var update = DeliveryUpdate(
            id: delivery.id,
            state: .pending,
            attempts: attempt,
            nextAttemptMilliseconds: now,
            attemptMilliseconds: completion.attemptMilliseconds,
            failure: failure,
            deadLetterReason: nil
        )
        let type: String
        switch decision {
        case .succeeded:
            update.state = .succeeded
            type = "tocsin.delivery.succeeded"
        case .retry(let at):
            update.nextAttemptMilliseconds = at
            nextDueHint = min(nextDueHint, at)
            type = "tocsin.delivery.failed"
        case .deadLetter(let reason):
            update.state = .deadLettered
            update.deadLetterReason = reason.rawValue
            type = "tocsin.delivery.deadlettered"
        }
        updates.append(update)
        var data: [(String, JSONValue)] = [
            ("delivery", InternalEvents.number(delivery.id)),
            ("event", InternalEvents.number(delivery.eventSequence)),
            ("rule", .string(delivery.rule)),
            ("target", .string(delivery.target)),
            ("attempt", InternalEvents.number(Int64(attempt))),
        ]
        if case .succeeded(let status?) = completion.outcome {
            data.append(("status", InternalEvents.number(Int64(status))))
        }
        if let failure {
            data.append(("error", failure.json))
        }
        if case .retry(let at) = decision {
            data.append(("next_attempt_at", .string(Timestamp(epochMilliseconds: at).text)))
        }
        if let reason = update.deadLetterReason {
            data.append(("reason", .string(reason)))
        }
        if let detail = completion.detail {
            data.append(("action", detail))
        }
        events.append(
            InternalEvents.make(
                type: type,
                source: "/tocsin/delivery",
                id: identifiers.derived("delivery", ["\(delivery.id)", "\(delivery.redrives)", "\(attempt)"]),
                subject: delivery.target,
                data: data
            )
        )
    }

    private static func breakerEvent(target: String, opened: Bool) -> CloudEvent {
        InternalEvents.make(
            type: opened ? "tocsin.target.circuit.opened" : "tocsin.target.circuit.closed",
            source: "/tocsin/delivery",
            subject: target,
            data: [("target", .string(target))]
        )
    }
}
