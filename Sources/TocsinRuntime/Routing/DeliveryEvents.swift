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
    /// again after a failed flush keeps one copy in the log. It records the row the attempt leaves
    /// (`attempted_at`, `due_at`, `redrives`), which the deliveries projection folds.
    static func attempt(
        _ record: DeliveryAttemptRecord,
        update: DeliveryUpdate,
        identifiers: EventIdentifiers,
        now: Int64
    ) -> CloudEvent {
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
        if let attempted = update.attemptMilliseconds {
            data.append(("attempted_at", .string(Timestamp(epochMilliseconds: attempted).text)))
        }
        data.append(("due_at", .string(Timestamp(epochMilliseconds: update.nextAttemptMilliseconds).text)))
        data.append(("redrives", InternalEvents.number(Int64(delivery.redrives))))
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

    /// The `tocsin.delivery.routed` event of one routed batch: each new delivery's id, event, rule,
    /// target, input and dry-run flag, dated with the rows' routed time; `nil` when the batch made none.
    static func routed(
        _ deliveries: [RoutingStore.NewDelivery],
        ids: [Int64?],
        at milliseconds: Int64,
        identifiers: EventIdentifiers
    ) -> CloudEvent? {
        var entries: [JSONValue] = []
        var first: Int64?
        for (delivery, id) in zip(deliveries, ids) {
            guard let id else {
                continue
            }
            first = first ?? id
            var members: [JSONObject.Member] = [
                .init(name: "delivery", value: InternalEvents.number(id)),
                .init(name: "event", value: InternalEvents.number(delivery.eventSequence)),
                .init(name: "rule", value: .string(delivery.rule)),
                .init(name: "target", value: .string(delivery.target)),
            ]
            if let input = delivery.input {
                members.append(.init(name: "input", value: .object(JSONObject([input.jsonMember]))))
            }
            if delivery.dryRun {
                members.append(.init(name: "dry_run", value: .bool(true)))
            }
            entries.append(.object(JSONObject(members)))
        }
        guard let first else {
            return nil
        }
        return InternalEvents.make(
            type: "tocsin.delivery.routed",
            source: "/tocsin/router",
            id: identifiers.derived("routed", ["\(first)"]),
            time: milliseconds,
            data: [("deliveries", .array(entries))]
        )
    }

    /// The `tocsin.dlq.redriven` event of a redrive: the deliveries' ids and their redrive counts,
    /// dated with the time they are due again.
    static func redriven(
        _ deliveries: [RedrivenDelivery],
        at milliseconds: Int64,
        source: String,
        actor: String
    ) -> CloudEvent {
        InternalEvents.make(
            type: "tocsin.dlq.redriven",
            source: source,
            time: milliseconds,
            data: [
                ("count", InternalEvents.number(Int64(deliveries.count))),
                ("actor", .string(actor)),
                ("deliveries", .array(deliveries.map { InternalEvents.number($0.id) })),
                ("redrives", .array(deliveries.map { InternalEvents.number(Int64($0.redrives)) })),
            ]
        )
    }

    /// The event of deliveries deleted by id: `tocsin.dlq.purged` (by `actor`) or
    /// `tocsin.delivery.pruned` (retention, no actor).
    static func deleted(_ ids: [Int64], type: String, source: String, actor: String?, now: Int64? = nil) -> CloudEvent {
        var data: [(String, JSONValue)] = [("count", InternalEvents.number(Int64(ids.count)))]
        if let actor {
            data.append(("actor", .string(actor)))
        }
        data.append(("deliveries", .array(ids.map { InternalEvents.number($0) })))
        return InternalEvents.make(type: type, source: source, time: now, data: data)
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
