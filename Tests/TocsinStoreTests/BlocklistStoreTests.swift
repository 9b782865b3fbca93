// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinResponse
import TocsinStore

/// The blocklist table: `max_entries` is checked and the entry written in one transaction.
struct BlocklistStoreTests {
    static func entry(_ address: String, at milliseconds: Int64 = 1_000, ttl: Int64 = 60_000) -> BlocklistEntry {
        BlocklistEntry(
            entry: address,
            isV6: false,
            addedMilliseconds: milliseconds,
            expiresMilliseconds: milliseconds + ttl,
            rule: "r",
            eventSequence: 1
        )
    }

    @Test("concurrent blocks never overfill the list: exactly max_entries of twenty distinct addresses are stored")
    func concurrentBlocksStopAtTheMaximum() async throws {
        try await withRunningStore { store, _ in
            let stored = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 1...20 {
                    group.addTask { try await store.routing.block(Self.entry("192.0.2.\(index)"), maxEntries: 3) }
                }
                return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            #expect(stored == 3)
            #expect(try await store.routing.activeBlocks(now: 1_000).count == 3)
        }
    }

    @Test("a full list still extends an active entry, and frees a place when an entry expires")
    func renewalAndExpiry() async throws {
        try await withRunningStore { store, _ in
            let first = try await store.routing.block(Self.entry("192.0.2.1", ttl: 10_000), maxEntries: 1)
            let second = try await store.routing.block(Self.entry("192.0.2.2", at: 2_000), maxEntries: 1)
            let renewed = try await store.routing.block(Self.entry("192.0.2.1", at: 2_000), maxEntries: 1)
            #expect(first && !second && renewed)
            #expect(try await store.routing.activeBlocks(now: 2_000).map(\.expiresMilliseconds) == [62_000])
            let afterExpiry = try await store.routing.block(Self.entry("192.0.2.2", at: 70_000), maxEntries: 1)
            #expect(afterExpiry)
        }
    }
}
