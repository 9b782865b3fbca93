// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinResponse
import TocsinStore
import TocsinTesting

/// The deliveries projection: rows written by the router, the delivery loop, redrives, purges and
/// retention, each followed by its event the way the runtime writes them, fold to the live table.
struct DeliveriesProjectionTests {
    /// An internal event of `type` with `data`, dated `time`.
    static func event(_ type: String, id: String, time: Int64, _ data: [(String, JSONValue)]) -> CloudEvent {
        CloudEvent(
            id: id,
            source: "/tocsin/delivery",
            type: type,
            dataContentType: "application/json",
            time: Timestamp(epochMilliseconds: time),
            data: .json(JSONWriter().bytes(.object(JSONObject(data.map { .init(name: $0.0, value: $0.1) }))))
        )
    }

    static func number(_ value: Int64) -> JSONValue { .number(JSONNumber(value)) }

    static func time(_ milliseconds: Int64) -> JSONValue { .string(Timestamp(epochMilliseconds: milliseconds).text) }

    /// The router's `tocsin.delivery.routed` event.
    static func routed(_ routes: [RoutingStore.NewDelivery], ids: [Int64?], at time: Int64) -> CloudEvent {
        let entries: [JSONValue] = zip(routes, ids).compactMap { route, id in
            guard let id else {
                return nil
            }
            var members: [JSONObject.Member] = [
                .init(name: "delivery", value: number(id)), .init(name: "event", value: number(route.eventSequence)),
                .init(name: "rule", value: .string(route.rule)), .init(name: "target", value: .string(route.target)),
            ]
            if let input = route.input {
                members.append(.init(name: "input", value: .object(JSONObject([input.jsonMember]))))
            }
            if route.dryRun {
                members.append(.init(name: "dry_run", value: .bool(true)))
            }
            return .object(JSONObject(members))
        }
        return event("tocsin.delivery.routed", id: "routed-\(time)", time: time, [("deliveries", .array(entries))])
    }

    /// Writes an attempt's outcome the way the delivery loop does: its event, then the row.
    static func attempt(
        _ update: DeliveryUpdate,
        of delivery: DeliveryRecord,
        attempt: Int,
        in store: EventStore
    ) async throws {
        let types: [DeliveryState: String] = [
            .succeeded: "tocsin.delivery.succeeded", .pending: "tocsin.delivery.failed",
            .deadLettered: "tocsin.delivery.deadlettered",
        ]
        var data: [(String, JSONValue)] = [
            ("delivery", number(delivery.id)), ("event", number(delivery.eventSequence)),
            ("rule", .string(delivery.rule)), ("target", .string(delivery.target)),
            ("attempt", number(Int64(attempt))),
        ]
        if let failure = update.failure {
            data.append(("error", failure.json))
        }
        if let reason = update.deadLetterReason {
            data.append(("reason", .string(reason)))
        }
        if let attempted = update.attemptMilliseconds {
            data.append(("attempted_at", time(attempted)))
        }
        data.append(("due_at", time(update.nextAttemptMilliseconds)))
        data.append(("redrives", number(Int64(delivery.redrives))))
        let id = "attempt-\(delivery.id)-\(delivery.redrives)-\(attempt)"
        _ = try await store.append([
            event(types[update.state] ?? "", id: id, time: update.nextAttemptMilliseconds, data)
        ])
        try await store.routing.complete([update])
    }

    static func record(_ id: Int64, in store: EventStore, event sequence: Int64) async throws -> DeliveryRecord {
        try #require(try await store.routing.deliveries(event: sequence).first { $0.id == id })
    }

    @Test("routes, retries, dead letters, redrives, purges and retention fold to the live deliveries")
    func foldEqualsLive() async throws {
        try await withRunningStore { store, directory in
            let sequences = try await store.append((1...4).map { EventFixtures.sshFailure(id: "d\($0)") })
                .map(\.sequence)
            let routes = [
                RoutingStore.NewDelivery(
                    eventSequence: sequences[0],
                    rule: "ssh",
                    target: "hook",
                    input: InputTransform(member: .init(name: "input_path", value: .string("$.data"))),
                    dryRun: false
                ),
                .init(eventSequence: sequences[1], rule: "ssh", target: "hook", input: nil, dryRun: false),
                .init(eventSequence: sequences[2], rule: "ssh", target: "edge", input: nil, dryRun: false),
                .init(eventSequence: sequences[3], rule: "ssh", target: "hook", input: nil, dryRun: true),
            ]
            let recorded = try await store.routing.recordRoutes(routes, cursor: "router", to: sequences[3])
            let ids = recorded.ids.compactMap { $0 }
            let now = recorded.routedMilliseconds
            #expect(ids.count == 4)

            // The first delivery succeeds before the router has appended its routed event.
            let first = try await Self.record(ids[0], in: store, event: sequences[0])
            try await Self.attempt(
                DeliveryUpdate(
                    id: ids[0],
                    state: .succeeded,
                    attempts: 1,
                    nextAttemptMilliseconds: now + 20,
                    attemptMilliseconds: now + 10,
                    failure: nil,
                    deadLetterReason: nil
                ),
                of: first,
                attempt: 1,
                in: store
            )
            _ = try await store.append([Self.routed(routes, ids: recorded.ids, at: now)])

            // The second fails, is retried, dead-lettered, redriven, dead-lettered again and purged.
            let failure = AttemptFailure(kind: .httpStatus, status: 503, exitStatus: nil, message: "HTTP 503")
            for attempt in 1...2 {
                let delivery = try await Self.record(ids[1], in: store, event: sequences[1])
                try await Self.attempt(
                    DeliveryUpdate(
                        id: ids[1],
                        state: attempt == 1 ? .pending : .deadLettered,
                        attempts: attempt,
                        nextAttemptMilliseconds: now + Int64(attempt) * 1_000,
                        attemptMilliseconds: now + Int64(attempt),
                        failure: failure,
                        deadLetterReason: attempt == 1 ? nil : "max-attempts"
                    ),
                    of: delivery,
                    attempt: attempt,
                    in: store
                )
            }
            let redriven = try await store.routing.redriveDeadLetters(DeliveryFilter(ids: [ids[1]]))
            #expect(redriven.deliveries == [RedrivenDelivery(id: ids[1], target: "hook", redrives: 1)])
            _ = try await store.append([
                Self.event(
                    "tocsin.dlq.redriven",
                    id: "redrive-1",
                    time: redriven.milliseconds,
                    [("deliveries", .array([Self.number(ids[1])])), ("redrives", .array([Self.number(1)]))]
                )
            ])
            let again = try await Self.record(ids[1], in: store, event: sequences[1])
            #expect(again.state == .pending && again.redrives == 1)
            try await Self.attempt(
                DeliveryUpdate(
                    id: ids[1],
                    state: .deadLettered,
                    attempts: 1,
                    nextAttemptMilliseconds: now + 5_000,
                    attemptMilliseconds: now + 4_000,
                    failure: failure,
                    deadLetterReason: "max-attempts"
                ),
                of: again,
                attempt: 1,
                in: store
            )

            // The third is given up before an attempt (too old).
            let third = try await Self.record(ids[2], in: store, event: sequences[2])
            try await Self.attempt(
                DeliveryUpdate(
                    id: ids[2],
                    state: .deadLettered,
                    attempts: 0,
                    nextAttemptMilliseconds: third.nextAttemptMilliseconds,
                    attemptMilliseconds: nil,
                    failure: nil,
                    deadLetterReason: "max-event-age"
                ),
                of: third,
                attempt: 1,
                in: store
            )
            let rebuilder = ProjectionRebuilder(store: store, scratchDirectory: directory)
            let before = try await rebuilder.compare("deliveries", nowMilliseconds: now)
            #expect(before.isEqual && before.tables.first?.liveRows == 4, "\(before)")

            let purged = try await store.routing.purge(DeliveryFilter(ids: [ids[1]]))
            #expect(purged == [ids[1]])
            let pruned = try await store.routing.pruneFinished(before: now + 5, limit: 100)
            #expect(pruned == [ids[3]], "the dry run is past the cutoff, the success is not")
            for (type, deleted) in [("tocsin.dlq.purged", purged), ("tocsin.delivery.pruned", pruned)] {
                _ = try await store.append([
                    Self.event(type, id: type, time: now, [("deliveries", .array(deleted.map(Self.number)))])
                ])
            }
            let after = try await rebuilder.compare("deliveries", nowMilliseconds: now)
            #expect(after.isEqual && after.tables.first?.liveRows == 2, "\(after)")

            // A rebuild swaps in the same rows; the follower applying every event again changes nothing.
            #expect(try await rebuilder.rebuild("deliveries").rows == ["deliveries": 2])
            try tamper(directory, "UPDATE cursors SET seq = 0 WHERE name = 'projection.deliveries'")
            while !(try await rebuilder.follow()) {}
            #expect(try await rebuilder.compare("deliveries", nowMilliseconds: now).isEqual)
            let kept = try await Self.record(ids[0], in: store, event: sequences[0])
            #expect(kept.state == .succeeded && kept.input != nil && kept.routedMilliseconds == now)
            #expect(kept.lastAttemptMilliseconds == now + 10)

            // A replay's delivery is not routed from the log: a rebuild leaves it as it is.
            let logged = try #require(try await store.event(at: sequences[0]))
            let replayed = RoutingStore.ReplayDelivery(
                event: logged,
                rule: "ssh",
                target: "hook",
                input: nil,
                dryRun: false,
                idempotencyKey: "replay-a"
            )
            #expect(try await store.routing.recordReplayDeliveries([replayed], replay: 7) == 1)
            #expect(try await rebuilder.rebuild("deliveries").rows == ["deliveries": 2])
            #expect(try await store.routing.deliveries(event: sequences[0]).compactMap(\.replay?.id) == [7])
            #expect(try await rebuilder.compare("deliveries", nowMilliseconds: now).isEqual)

            try tamper(directory, "UPDATE deliveries SET state = 'pending' WHERE id = \(ids[2])")
            let tampered = try await rebuilder.compare("deliveries", nowMilliseconds: now)
            #expect(tampered.tables.first?.differingKeys == ["\(ids[2])"])
        }
    }

    @Test("rows stored before the log recorded deliveries are adopted once, replacing what old events folded to")
    func adoptsUnloggedRows() async throws {
        try await withRunningStore { store, directory in
            let sequences = try await store.append((1...2).map { EventFixtures.sshFailure(id: "a\($0)") })
                .map(\.sequence)
            try await store.routing.recordRoutes(
                sequences.map { .init(eventSequence: $0, rule: "ssh", target: "hook", input: nil, dryRun: false) },
                cursor: "router",
                to: sequences[1]
            )
            let rebuilder = ProjectionRebuilder(store: store, scratchDirectory: directory)
            let unlogged = try await rebuilder.unloggedRows("deliveries", identifiers: store.identifiers)
            #expect(unlogged.map(\.type) == ["tocsin.delivery.adopted"])
            #expect(try await !rebuilder.compare("deliveries", nowMilliseconds: 0).isEqual)
            _ = try await store.append(unlogged)
            _ = try await store.append(unlogged)
            #expect(try await rebuilder.unloggedRows("deliveries", identifiers: store.identifiers).isEmpty)
            #expect(try await rebuilder.compare("deliveries", nowMilliseconds: 0).isEqual)
        }
    }
}
