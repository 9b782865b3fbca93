// SPDX-License-Identifier: Apache-2.0

import TocsinConfig
import TocsinCore
import TocsinResponse
import TocsinStore

/// The `tocsin.delivery.*` and `tocsin.target.circuit.*` events that record what the
/// ``DeliveryEngine`` decided.
enum DeliveryEvents {
    /// The event of one attempt (or of a delivery given up before one).
    ///
    /// Its id is derived from the delivery, its redrive count and the attempt number, so writing it
    /// again after a failed flush keeps one copy in the log.
    static func attempt(_ record: DeliveryAttemptRecord, identifiers: EventIdentifiers, now: Int64) -> CloudEvent {
        let delivery = record.delivery
        let type: String
        switch record.decision {
        case .succeeded: type = "tocsin.delivery.succeeded"
        case .retry: type = "tocsin.delivery.failed"
        case .deadLetter: type = "tocsin.delivery.deadlettered"
        }
        var data: [(String, JSONValue)] = [
            ("delivery", InternalEvents.number(delivery.id)),
            ("event", InternalEvents.number(delivery.eventSequence)),
            ("rule", .string(delivery.rule)),
            ("target", .string(delivery.target)),
            ("attempt", InternalEvents.number(Int64(record.attempt))),
        ]
        if let replay = delivery.replay {
            data.append(("replay", InternalEvents.number(replay.id)))
        }
        switch record.outcome {
        case .succeeded(let status?)?:
            data.append(("status", InternalEvents.number(Int64(status))))
        case .failed(let failure)?:
            data.append(("error", failure.json))
        case .succeeded(nil)?, nil:
            break
        }
        switch record.decision {
        case .retry(let at):
            data.append(("next_attempt_at", .string(Timestamp(epochMilliseconds: at).text)))
        case .deadLetter(let reason):
            data.append(("reason", .string(reason.rawValue)))
        case .succeeded:
            break
        }
        if let detail = record.detail {
            data.append(("action", detail))
        }
        return InternalEvents.make(
            type: type,
            source: "/tocsin/delivery",
            id: identifiers.derived("delivery", ["\(delivery.id)", "\(delivery.redrives)", "\(record.attempt)"]),
            subject: delivery.target,
            time: now,
            data: data
        )
    }

    /// The event of a breaker opening or closing.
    static func breaker(target: String, _ transition: CircuitBreaker.Transition, now: Int64) -> CloudEvent {
        InternalEvents.make(
            type: transition == .opened ? "tocsin.target.circuit.opened" : "tocsin.target.circuit.closed",
            source: "/tocsin/delivery",
            subject: target,
            time: now,
            data: [("target", .string(target))]
        )
    }
}

extension DeliveryEngine.Target {
    /// The engine's view of a target definition.
    init(_ definition: TargetDefinition) {
        self.init(
            maxConcurrency: definition.maxConcurrency,
            retry: definition.retry,
            circuitBreaker: definition.circuitBreaker,
            autoRedrive: definition.autoRedrive
        )
    }
}
