// SPDX-License-Identifier: Apache-2.0

import Foundation
import Logging
import Testing
import TocsinCore
import TocsinStore
import TocsinTesting

struct ArchiveTimerTests {
    @Test("the daily timer archives what has expired by its injected clock, while the store runs")
    func archivesOnTick() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await populate(directory)
        let clock = ManualClock(start: WallInstant(millisecondsSinceEpoch: SystemWallClock().milliseconds))
        let archives = directory.path + "/archives"
        try await withRunningStore(directory: directory) { store, _ in
            let timer = ArchiveTimer(
                archiver: try store.makeArchiver(
                    archiveDirectory: archives,
                    policy: RetentionPolicy(defaultKeepMilliseconds: 86_400_000)
                ),
                clock: clock,
                logger: Logger(label: "test")
            )
            #expect(timer.tick()?.archive == nil)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await timer.run() }
                await clock.waitForSleepers()
                clock.advance(by: .seconds(86_400))
                _ = try await eventually {
                    try ArchiveFile.all(in: archives).map(\.manifest.lastSequence) == [8] ? true : nil
                }
                group.cancelAll()
            }
            #expect(try await store.event(at: 8) == nil)
            #expect(try await store.event(at: 9) != nil)
        }
    }
}
