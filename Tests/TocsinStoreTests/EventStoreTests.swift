// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
import Testing
import TocsinCore
import TocsinTesting

@testable import TocsinStore

struct EventStoreTests {
    @Test("appends get consecutive sequence numbers and read back unchanged")
    func appendAndRead() async throws {
        try await withRunningStore { store, _ in
            let events = (1...5).map { EventFixtures.sshFailure(id: "e\($0)") }
            let receipts = try await store.append(events)
            #expect(receipts.map(\.sequence) == [1, 2, 3, 4, 5])
            #expect(receipts.allSatisfy { !$0.isDuplicate })
            let third = try #require(try await store.event(at: 3))
            #expect(third.event == events[2])
            #expect(try await store.lastSequence() == 5)
        }
    }

    @Test("a duplicate source+id is acknowledged with the existing sequence and not stored again")
    func duplicates() async throws {
        try await withRunningStore { store, _ in
            _ = try await store.append([EventFixtures.sshFailure(id: "a")])
            let again = try await store.append([
                EventFixtures.sshFailure(id: "a"), EventFixtures.sshFailure(id: "b"), EventFixtures.sshFailure(id: "b"),
                EventFixtures.sshFailure(id: "a", source: "/other"),
            ])
            #expect(
                again == [
                    AppendReceipt(sequence: 1, isDuplicate: true), AppendReceipt(sequence: 2, isDuplicate: false),
                    AppendReceipt(sequence: 2, isDuplicate: true), AppendReceipt(sequence: 3, isDuplicate: false),
                ]
            )
            #expect(try await store.lastSequence() == 3)
        }
    }

    @Test("concurrent producers are group-committed without gaps or losses")
    func concurrentAppends() async throws {
        try await withRunningStore { store, _ in
            let sequences = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for producer in 0..<32 {
                    group.addTask {
                        var mine: [Int64] = []
                        for index in 0..<50 {
                            let receipt = try await store.append([EventFixtures.sshFailure(id: "\(producer)-\(index)")])
                            mine.append(receipt[0].sequence)
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(Set(sequences) == Set(1...1600))
        }
    }

    @Test("queries filter by source, type, subject and time, and page with a cursor")
    func queries() async throws {
        try await withRunningStore { store, _ in
            var events: [CloudEvent] = []
            for index in 1...30 {
                var event = EventFixtures.sshFailure(id: "q\(index)", source: index % 2 == 0 ? "/even" : "/odd")
                event.type = index % 3 == 0 ? "three" : "other"
                event.subject = index <= 10 ? "early" : "late"
                event.time = Timestamp(epochMilliseconds: Int64(index) * 1000)
                events.append(event)
            }
            _ = try await store.append(events)
            let even = try await store.query(EventQuery(source: "/even", limit: 100))
            #expect(even.events.count == 15 && even.nextCursor == nil)
            #expect(try await store.query(EventQuery(type: "three")).events.count == 10)
            #expect(try await store.query(EventQuery(subject: "early")).events.count == 10)
            let window = try await store.query(EventQuery(timeFrom: 5000, timeTo: 8000))
            #expect(window.events.map(\.sequence) == [5, 6, 7])
            var cursor: Int64 = 0
            var seen: [Int64] = []
            while true {
                let page = try await store.query(EventQuery(after: cursor, limit: 7))
                seen += page.events.map(\.sequence)
                guard let next = page.nextCursor else { break }
                cursor = next
            }
            #expect(seen == Array(1...30))
        }
    }

    @Test("a parked reader wakes when a commit lands", .timeLimit(.minutes(3)))
    func waitForAppend() async throws {
        try await withRunningStore { store, _ in
            // The wait's own timeout (an hour) is far beyond the test's time limit: only the
            // commit can end it.
            let waiter = Task { await store.waitForAppend(after: 0, timeout: .seconds(3600)) }
            try await waitUntil { store.notifier.waiterCount > 0 }
            _ = try await store.append([EventFixtures.sshFailure(id: "w")])
            await waiter.value
            #expect(store.notifier.waiterCount == 0)
        }
    }
}
