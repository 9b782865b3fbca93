// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
import Testing
import TocsinCore
import TocsinResponse
import TocsinStore
import TocsinTesting

/// A projection is folded from the whole history: when the log's first records went to archive
/// files, a rebuild folds the verified files first and then the live log, and refuses when the
/// files are missing instead of swapping in a read model that forgot them.
struct ProjectionArchiveTests {
    static let day: Int64 = 86_400_000

    @Test("a rebuild over archived history folds the archive files, then the live log, to the pre-archive rows")
    func rebuildOverArchives() async throws {
        try await withRunningStore(
            configure: {
                $0.checkpointEveryRecords = 4
                $0.announcesCheckpoints = false
            }
        ) { store, directory in
            let base = ProjectionRebuilderTests.base
            for index in 0..<6 {
                let entry = ProjectionRebuilderTests.entry(
                    "203.0.113.\(index % 4 + 1)",
                    at: base + Int64(index) * 1_000,
                    ttlSeconds: 3_600 + Int64(index)
                )
                try await ProjectionRebuilderTests.block(entry, delivery: Int64(index + 1), in: store)
                _ = try await store.append([EventFixtures.sshFailure(id: "filler-\(index)")])
            }
            let rebuilder = ProjectionRebuilder(store: store, scratchDirectory: directory)
            let before = try await rebuilder.rebuild("blocklist")
            let blocks = try await store.routing.activeBlocks(now: base + 10_000)
            #expect(blocks.count == 4)

            let archiver = try store.makeArchiver(
                archiveDirectory: directory + "/archives",
                policy: RetentionPolicy(defaultKeepMilliseconds: Self.day)
            )
            let report = try archiver.run(
                nowMilliseconds: SystemWallClock().milliseconds + 2 * Self.day,
                vacuums: false
            )
            #expect(report.records > 4, "\(report)")

            let compared = try await rebuilder.compare("blocklist", nowMilliseconds: base + 10_000)
            #expect(compared.isEqual && compared.tables.first?.liveRows == 4)
            let rebuilt = try await rebuilder.rebuild("blocklist")
            #expect(rebuilt.events == before.events && rebuilt.rows == ["blocklist": 4], "archived events are folded")
            #expect(try await store.routing.activeBlocks(now: base + 10_000) == blocks)

            // Without the files the archived history is unknown: the rebuild refuses, naming where the log starts.
            try FileManager.default.moveItem(atPath: directory + "/archives", toPath: directory + "/moved")
            let error = await #expect(throws: StoreError.self) { try await rebuilder.rebuild("blocklist") }
            #expect(error?.code == .refused)
            #expect(error?.message.contains("starts at sequence \(report.lastSequence + 1)") == true)
            #expect(try await store.routing.activeBlocks(now: base + 10_000) == blocks, "nothing changed")
        }
    }

    @Test("a rebuild and a check refuse a log whose first records are gone without archive files")
    func archivedHistoryWithoutFilesRefusesARebuild() async throws {
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
