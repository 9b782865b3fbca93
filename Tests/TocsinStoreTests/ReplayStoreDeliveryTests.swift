// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinCore
import TocsinResponse
import TocsinTesting

@testable import TocsinStore

/// The store's side of replays that deliver and of replays over archives: replay deliveries next to
/// live ones, each carrying its record, and the archived prefix read back only from files that
/// verify.
struct ReplayStoreDeliveryTests {
    @Test("the console's match counts are the live rules' matches, not a replay's")
    func matchCountsLeaveReplaysOut() async throws {
        try await withRunningStore { store, _ in
            let sequences = try await store.append([
                EventFixtures.sshFailure(id: "m1"), EventFixtures.sshFailure(id: "m2"),
            ]).map(\.sequence)
            try await store.routing.recordRoutes(
                [.init(eventSequence: sequences[0], rule: "r", target: "t", input: nil, dryRun: false)],
                cursor: "router",
                to: sequences[1]
            )
            let replayedOnly = try #require(try await store.event(at: sequences[1]))
            let delivery = RoutingStore.ReplayDelivery(
                event: replayedOnly,
                rule: "r",
                target: "t",
                input: nil,
                dryRun: false,
                idempotencyKey: "tocsin-replay-m"
            )
            #expect(try await store.routing.recordReplayDeliveries([delivery], replay: 3) == 1)
            #expect(try await store.matchCounts() == ["r": 1])
        }
    }

    @Test("a replay's deliveries sit next to the live one, carry their record, and are queued once")
    func replayDeliveries() async throws {
        try await withRunningStore { store, _ in
            let sequence = try await store.append([EventFixtures.sshFailure(id: "r1")])[0].sequence
            try await store.routing.recordRoutes(
                [.init(eventSequence: sequence, rule: "r", target: "t", input: nil, dryRun: false)],
                cursor: "router",
                to: sequence
            )
            let logged = try #require(try await store.event(at: sequence))
            // An alert the replay raised: never logged, delivered under its trigger's sequence number.
            var alert = logged
            alert.event = CloudEvent(id: "alert-1", source: "/tocsin/replay", type: "tocsin.alert.raised")
            let replayed = [
                RoutingStore.ReplayDelivery(
                    event: logged,
                    rule: "r",
                    target: "t",
                    input: nil,
                    dryRun: false,
                    idempotencyKey: "tocsin-replay-a"
                ),
                RoutingStore.ReplayDelivery(
                    event: alert,
                    rule: "r",
                    target: "t",
                    input: nil,
                    dryRun: false,
                    idempotencyKey: "tocsin-replay-b"
                ),
            ]
            #expect(try await store.routing.recordReplayDeliveries(replayed, replay: 7) == 2)
            #expect(try await store.routing.recordReplayDeliveries(replayed, replay: 7) == 0)
            #expect(try await store.routing.recordReplayDeliveries([replayed[0]], replay: 8) == 1)

            let rows = try await store.routing.deliveries(event: sequence)
            #expect(rows.count == 4)
            #expect(rows.filter { $0.replay == nil }.map(\.idempotencyKey) == ["tocsin-\(sequence)-\(rows[0].id)"])
            #expect(rows.compactMap(\.replay?.id) == [7, 7, 8])
            #expect(
                rows.compactMap(\.replay?.idempotencyKey) == ["tocsin-replay-a", "tocsin-replay-b", "tocsin-replay-a"]
            )
            #expect(rows.last?.json["replay"] == .number(JSONNumber(8)))

            let due = try await store.routing.due(DeliveryFetch(target: "t", limit: 10, excluding: []), now: .max / 2)
            #expect(due.deliveries.count == 4)
            for (delivery, event) in due.deliveries {
                let expected = delivery.replay?.idempotencyKey == "tocsin-replay-b" ? alert.event : logged.event
                #expect(event?.event == expected)
                #expect(event?.sequence == sequence)
            }
            #expect(try await store.routing.replayDeliveryCounts(replay: 7) == [.pending: 2])
        }
    }

    /// Records 1...20 with two archive files (1...8 and 9...18) and the live log 19...20.
    func twoArchives() async throws -> (TemporaryDirectory, files: [String]) {
        let directory = try TemporaryDirectory()
        var files: [String] = []
        for prefix in ["t", "u"] {
            try await populate(directory, prefix: prefix)
            let archiver = try Archiver.open(
                dataDirectory: directory.path,
                archiveDirectory: directory.path + "/archives",
                policy: RetentionPolicy(defaultKeepMilliseconds: 1)
            )
            let report = try archiver.run(nowMilliseconds: SystemWallClock().milliseconds + 86_400_000)
            files.append((try #require(report.archive) as NSString).lastPathComponent)
        }
        return (directory, files)
    }

    func archivedLog(_ directory: TemporaryDirectory) async throws -> ArchivedLog {
        try await withRunningStore(directory: directory) { store, _ in
            try await store.archivedLog(directory: directory.path + "/archives", dataDirectory: directory.path)
        }
    }

    @Test("the archived prefix reads back in order across files and ends where the live log starts")
    func readsAcrossFiles() async throws {
        let (directory, _) = try await twoArchives()
        defer { directory.remove() }
        var log = try await archivedLog(directory)
        #expect(log.liveFirst == 19)
        try log.verify(1...20)
        var sequences: [Int64] = []
        var after: Int64 = 0
        while true {
            let page = try log.events(after: after, through: 19, limit: 3)
            guard let last = page.last else {
                break
            }
            sequences += page.map(\.sequence)
            after = last.sequence
        }
        #expect(sequences == Array(1...18))
        #expect(try log.events(after: 4, through: 6, limit: 10).map(\.sequence) == [5, 6])
        let first = try #require(try log.events(after: 0, through: 1, limit: 1).first)
        #expect(try log.firstSequence(ingestedAtOrAfter: first.ingestMilliseconds) == 1)
        #expect(try log.firstSequence(ingestedAtOrAfter: .max) == nil)
    }

    @Test("a tampered archive file is refused, named, before any of its records is read")
    func tampered() async throws {
        let (directory, files) = try await twoArchives()
        defer { directory.remove() }
        let path = directory.path + "/archives/" + files[1]
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[ArchiveFile.startMagic.count + 20] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        var log = try await archivedLog(directory)
        #expect(throws: ArchiveProblem.self) { try log.verify(9...9) }
        do {
            _ = try log.events(after: 8, through: 18, limit: 10)
            Issue.record("the tampered file was read")
        } catch {
            #expect(error.file == files[1])
        }
        // The first file is intact and still reads.
        #expect(try log.events(after: 0, through: 8, limit: 10).count == 8)
    }

    @Test("a missing archive file is refused, named")
    func missing() async throws {
        let (directory, files) = try await twoArchives()
        defer { directory.remove() }
        try FileManager.default.removeItem(atPath: directory.path + "/archives/" + files[0])
        var log = try await archivedLog(directory)
        do {
            try log.verify(1...20)
            Issue.record("a missing file verified")
        } catch {
            #expect(error.file == files[0])
            #expect(error.message.contains("not in"))
        }
    }
}
