// SPDX-License-Identifier: Apache-2.0

import GRDB
import Testing
import TocsinCore
import TocsinStore
import TocsinTesting

/// A projection is folded from the whole history, so a log whose first records went to archive files
/// refuses a rebuild (and a check) instead of swapping in a read model that forgot them.
struct ProjectionArchiveGuardTests {
    @Test("a rebuild and a check refuse a log whose first records are archived, naming where it starts")
    func archivedHistoryRefusesARebuild() async throws {
        try await withRunningStore { store, directory in
            _ = try await store.append((1...3).map { EventFixtures.sshFailure(id: "g\($0)") })
            let rebuilder = ProjectionRebuilder(store: store, scratchDirectory: directory)
            _ = try await rebuilder.rebuild("incidents")
            // What an archive run leaves: the first records are gone from the database.
            let database = try DatabaseQueue(path: directory + "/tocsin.db")
            try await database.write { db in try db.execute(sql: "DELETE FROM events WHERE seq <= 2") }
            try database.close()
            for attempt in ["rebuild", "check"] {
                let error = await #expect(throws: StoreError.self, "\(attempt)") {
                    if attempt == "rebuild" {
                        _ = try await rebuilder.rebuild("incidents")
                    } else {
                        _ = try await rebuilder.compare("incidents", nowMilliseconds: 0)
                    }
                }
                #expect(error?.code == .refused)
                #expect(error?.message.contains("starts at sequence 3") == true)
            }
        }
    }
}
