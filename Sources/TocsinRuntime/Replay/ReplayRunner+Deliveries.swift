// SPDX-License-Identifier: Apache-2.0

import TocsinConfig
import TocsinCore
import TocsinResponse
import TocsinStore

/// A replay with `dry_run: false` delivers: the deliveries its engine calls for join the live
/// deliveries' queue, marked with the replay (docs/replay.md).
extension ReplayRunner {
    /// Queues `deliveries` of the replay `record` and wakes the delivery loop when any is new.
    ///
    /// Each is keyed by the replay, the event, which of its outcomes (the event or one of the
    /// alerts it raised), the rule and the target, so a replay a restart runs again queues none
    /// of them twice and sends the same idempotency keys.
    func queue(_ deliveries: [ReplayEngine.Delivery], of record: ReplayRecord) async throws {
        guard !deliveries.isEmpty else {
            return
        }
        let replay = "\(record.id)"
        let queued = deliveries.map { delivery in
            RoutingStore.ReplayDelivery(
                event: delivery.event,
                rule: delivery.route.rule,
                target: delivery.route.target,
                input: delivery.route.input,
                dryRun: delivery.route.dryRun,
                idempotencyKey: Self.idempotencyKey(
                    store.identifiers,
                    replay: replay,
                    sequence: delivery.event.sequence,
                    origin: delivery.origin,
                    route: delivery.route
                )
            )
        }
        if try await store.routing.recordReplayDeliveries(queued, replay: record.id) > 0 {
            wakeDeliveries()
        }
    }

    /// `tocsin-replay-` and 32 hex digits derived with the node's id key from the replay, the
    /// event, the outcome, the rule and the target: never a live delivery's key
    /// (`tocsin-<seq>-<id>`), the same for every run of the same replay.
    static func idempotencyKey(
        _ identifiers: EventIdentifiers,
        replay: String,
        sequence: Int64,
        origin: String,
        route: RoutingTable.Route
    ) -> String {
        "tocsin-" + identifiers.derived("replay", [replay, "\(sequence)", origin, route.rule, route.target])
    }

    /// `status` with `deliveries` (how many the replay queued, by state) when it delivers.
    func withDeliveries(_ status: JSONValue, record: ReplayRecord) async throws -> JSONValue {
        guard case .object(var object) = status, status["request"]?["dry_run"] == .bool(false) else {
            return status
        }
        let counts = try await store.routing.replayDeliveryCounts(replay: record.id)
        let members = DeliveryState.allCases.map { state in
            JSONObject.Member(name: state.rawValue, value: .number(JSONNumber(Int64(counts[state] ?? 0))))
        }
        object.members.append(.init(name: "deliveries", value: .object(JSONObject(members))))
        return .object(object)
    }
}
