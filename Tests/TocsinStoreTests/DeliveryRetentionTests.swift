// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinResponse
import TocsinStore
import TocsinTesting

/// Retention deletes only finished deliveries older than the cutoff, in batches.
struct DeliveryRetentionTests {
    @Test func onlyFinishedDeliveriesPastTheCutoffAreDeleted() async throws {
        try await withRunningStore { store, _ in
            let receipts = try await store.append((1...4).map { EventFixtures.sshFailure(id: "e\($0)") })
            let sequences = receipts.map(\.sequence)
            let routes =
                sequences.map { sequence in
                    RoutingStore.NewDelivery(eventSequence: sequence, rule: "r", target: "t", input: nil, dryRun: false)
                } + [
                    RoutingStore.NewDelivery(
                        eventSequence: sequences[0],
                        rule: "r",
                        target: "dry",
                        input: nil,
                        dryRun: true
                    )
                ]
            try await store.routing.recordRoutes(routes, cursor: "router", to: sequences[3])
            let ids = try await sequences.asyncMap { try await store.routing.deliveries(event: $0) }
                .flatMap { $0 }.filter { $0.target == "t" }.sorted { $0.eventSequence < $1.eventSequence }.map(\.id)
            // e1, e2 succeeded long ago; e3 dead-lettered long ago; e4 succeeded just now.
            let old: Int64 = 1_000
            func outcome(_ id: Int64, _ state: DeliveryState, at milliseconds: Int64) -> DeliveryUpdate {
                DeliveryUpdate(
                    id: id,
                    state: state,
                    attempts: 1,
                    nextAttemptMilliseconds: milliseconds,
                    attemptMilliseconds: milliseconds,
                    failure: nil,
                    deadLetterReason: state == .deadLettered ? "max-attempts" : nil
                )
            }
            try await store.routing.complete([
                outcome(ids[0], .succeeded, at: old), outcome(ids[1], .succeeded, at: old),
                outcome(ids[2], .deadLettered, at: old), outcome(ids[3], .succeeded, at: 9_000_000_000_000),
            ])
            #expect(try await store.routing.pruneFinished(before: 2_000, limit: 1).count == 1, "batches are bounded")
            #expect(try await store.routing.pruneFinished(before: 2_000, limit: 100).count == 1)
            #expect(try await store.routing.pruneFinished(before: 2_000, limit: 100).isEmpty)
            let left = try await sequences.asyncMap { try await store.routing.deliveries(event: $0) }.flatMap { $0 }
            #expect(Set(left.map(\.state)) == [.deadLettered, .succeeded, .dryRun])
            #expect(left.count == 3, "the dead letter, the recent success and the recent dry run stay")
            #expect(
                try await store.routing.pruneFinished(before: Int64.max, limit: 100).count == 2,
                "success and dry run"
            )
            #expect(try await store.event(at: sequences[0]) != nil, "the log is never touched")
        }
    }
}

extension Sequence {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self {
            results.append(try await transform(element))
        }
        return results
    }
}
