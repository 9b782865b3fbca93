// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinResponse
import TocsinStore
import TocsinTesting

/// The store's side of the delivery loop: due reads with the target's next due time, outcomes
/// written back (with and without an attempt) and redrives at an explicit time.
struct DeliveryQueueTests {
    @Test func dueReadsExcludeInFlightAndTellTheNextDueTime() async throws {
        try await withRunningStore { store, _ in
            let receipts = try await store.append((1...3).map { EventFixtures.sshFailure(id: "q\($0)") })
            let sequences = receipts.map(\.sequence)
            try await store.routing.recordRoutes(
                sequences.map { .init(eventSequence: $0, rule: "r", target: "t", input: nil, dryRun: false) },
                cursor: "router",
                to: sequences[2]
            )
            let queue: any DeliveryQueue = store.routing
            var rows: [DeliveryRecord] = []
            for sequence in sequences {
                rows += try await store.routing.deliveries(event: sequence)
            }
            let routed = rows[0].routedMilliseconds
            try await queue.complete([
                DeliveryUpdate(
                    id: rows[0].id,
                    state: .pending,
                    attempts: 1,
                    nextAttemptMilliseconds: routed + 10_000,
                    attemptMilliseconds: routed,
                    failure: AttemptFailure(kind: .httpStatus, status: 503, message: "status 503"),
                    deadLetterReason: nil
                ),
                DeliveryUpdate(
                    id: rows[1].id,
                    state: .deadLettered,
                    attempts: 0,
                    nextAttemptMilliseconds: routed,
                    attemptMilliseconds: nil,
                    failure: nil,
                    deadLetterReason: "max-event-age"
                ),
            ])

            let excluded = try await queue.due(
                DeliveryFetch(target: "t", limit: 10, excluding: [rows[2].id]),
                now: routed + 5000
            )
            #expect(excluded.deliveries.isEmpty)
            #expect(excluded.nextDueMilliseconds == routed + 10_000)

            let due = try await queue.due(DeliveryFetch(target: "t", limit: 10, excluding: []), now: routed + 5000)
            #expect(due.deliveries.map(\.delivery.id) == [rows[2].id])
            #expect(due.deliveries.first?.event?.sequence == sequences[2], "the event comes with its delivery")
            #expect(try await queue.pendingTargets() == ["t"])

            let expired = try await store.routing.deliveries(event: sequences[1])
            #expect(expired.first?.state == .deadLettered && expired.first?.lastAttemptMilliseconds == nil)
            #expect(
                try await queue.redrive(DeliveryFilter(target: "t"), now: 42)
                    == [RedrivenDelivery(id: expired[0].id, target: "t", redrives: 1)]
            )
            let redriven = try await store.routing.deliveries(event: sequences[1])
            #expect(redriven.first?.state == .pending && redriven.first?.nextAttemptMilliseconds == 42)
            #expect(redriven.first?.routedMilliseconds == 42 && redriven.first?.redrives == 1)
        }
    }

    @Test("targets with pending deliveries: only those, however many other rows there are")
    func pendingTargetsSkipTargetsWithNothingPending() async throws {
        try await withRunningStore { store, _ in
            let receipts = try await store.append((1...4).map { EventFixtures.sshFailure(id: "p\($0)") })
            let sequences = receipts.map(\.sequence)
            let targets = ["alpha", "bravo", "charlie", "delta"]
            try await store.routing.recordRoutes(
                sequences.flatMap { sequence in
                    targets.map { .init(eventSequence: sequence, rule: "r", target: $0, input: nil, dryRun: false) }
                },
                cursor: "router",
                to: sequences[3]
            )
            var finished: [DeliveryUpdate] = []
            for sequence in sequences {
                for row in try await store.routing.deliveries(event: sequence)
                where ["bravo", "charlie"].contains(row.target) {
                    finished.append(
                        DeliveryUpdate(
                            id: row.id,
                            state: row.target == "bravo" ? .succeeded : .deadLettered,
                            attempts: 1,
                            nextAttemptMilliseconds: row.nextAttemptMilliseconds,
                            attemptMilliseconds: row.routedMilliseconds,
                            failure: nil,
                            deadLetterReason: row.target == "bravo" ? nil : "max-attempts"
                        )
                    )
                }
            }
            let queue: any DeliveryQueue = store.routing
            #expect(try await queue.pendingTargets().sorted() == targets)
            try await queue.complete(finished)
            #expect(try await queue.pendingTargets().sorted() == ["alpha", "delta"])
        }
    }
}
