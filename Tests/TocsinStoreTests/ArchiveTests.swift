// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
import Testing
import TocsinCore
import TocsinTesting

@testable import TocsinStore

/// Retention cuts, archive files and their verification as one chain with the live log, on real
/// files.
struct ArchiveTests {
    static let day: Int64 = 86_400_000

    /// Two days from now: every record written by these tests is past a one-day retention.
    var later: Int64 {
        SystemWallClock().milliseconds + 2 * Self.day
    }

    func archiver(_ directory: TemporaryDirectory, policy: RetentionPolicy? = nil) throws -> Archiver {
        try Archiver.open(
            dataDirectory: directory.path,
            archiveDirectory: directory.path + "/archives",
            policy: policy ?? RetentionPolicy(defaultKeepMilliseconds: Self.day)
        )
    }

    func verify(_ directory: TemporaryDirectory, archives: Bool) throws -> AuditVerifier.Report {
        try AuditVerifier(
            dataDirectory: directory.path,
            archiveDirectory: archives ? directory.path + "/archives" : nil
        ).verify()
    }

    func liveRange(_ directory: TemporaryDirectory) throws -> [Int64] {
        try DatabaseQueue(path: directory.path + "/tocsin.db").read { db in
            try Int64.fetchAll(db, sql: "SELECT seq FROM events ORDER BY seq")
        }
    }

    /// Records 1...10 (checkpoints 4, 8, 10) archived through 8, then records 11...20
    /// (checkpoints 14, 18, 20) archived through 18: two archive files and a live log of 19...20.
    func twoArchives() async throws -> (TemporaryDirectory, first: String, second: String) {
        let directory = try TemporaryDirectory()
        try await populate(directory)
        let first = try #require(try archiver(directory).run(nowMilliseconds: later).archive)
        try await populate(directory, prefix: "u")
        let second = try #require(try archiver(directory).run(nowMilliseconds: later).archive)
        return (directory, first, second)
    }

    @Test("a retention cut archives the expired prefix through a checkpoint that a later one follows")
    func retentionCut() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await populate(directory)
        let report = try archiver(directory).run(nowMilliseconds: later)
        #expect(report.firstSequence == 1)
        #expect(report.lastSequence == 8)
        #expect(report.archive == directory.path + "/archives/" + ArchiveManifest.fileName(first: 1, last: 8))
        #expect(try liveRange(directory) == [9, 10])

        let live = try verify(directory, archives: false)
        #expect(live.failure == nil)
        #expect(live.verifiedRecords == 2)
        #expect(live.archivedRecordsNotVerified == 8)
        let whole = try verify(directory, archives: true)
        #expect(whole.failure == nil)
        #expect(whole.verifiedRecords == 10)
        #expect(whole.verifiedCheckpoints == 3)
        #expect(whole.verifiedArchives == 1)

        let again = try archiver(directory).run(nowMilliseconds: later)
        #expect(again.archive == nil)
        #expect(again.reason != nil)
        // The store still opens (start-up verification) and extends the chain after the cut.
        try await populate(directory, count: 1, prefix: "v")
        #expect(try verify(directory, archives: true).verifiedRecords == 11)
    }

    @Test("nothing is archived before its retention, and a record kept forever holds back those after it")
    func retentionHoldsBack() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await withRunningStore(
            directory: directory,
            configure: {
                $0.checkpointEveryRecords = 2
                $0.announcesCheckpoints = false
            }
        ) { store, _ in
            for index in 1...10 {
                let source = index == 5 ? "/keep/audit" : "/ssh/bastion-1"
                _ = try await store.append([EventFixtures.sshFailure(id: "e\(index)", source: source)])
            }
        }
        let policy = RetentionPolicy(
            rules: [.init(source: "/keep/*", keepMilliseconds: nil)],
            defaultKeepMilliseconds: Self.day
        )
        let early = try archiver(directory, policy: policy).run(nowMilliseconds: SystemWallClock().milliseconds)
        #expect(early.archive == nil)
        #expect(try liveRange(directory).count == 10)
        let report = try archiver(directory, policy: policy).run(nowMilliseconds: later)
        #expect(report.lastSequence == 4)
        #expect(try liveRange(directory).first == 5)
    }

    @Test("archived events read back from the file exactly as the live log served them")
    func readBack() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await populate(directory)
        let before = try await withRunningStore(directory: directory) { store, _ in
            var events: [JSONValue] = []
            for sequence in Int64(1)...8 {
                events.append(try #require(try await store.event(at: sequence)).jsonValue)
            }
            return events
        }
        let path = try #require(try archiver(directory).run(nowMilliseconds: later).archive)
        let file = try ArchiveFile(path: path)
        #expect(try file.events(after: 0, limit: 100).map(\.jsonValue) == before)
        #expect(try file.events(after: 5, limit: 2).map(\.sequence) == [6, 7])
    }

    @Test("the database file shrinks after archival")
    func databaseShrinks() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await withRunningStore(
            directory: directory,
            configure: {
                $0.checkpointEveryRecords = 100
                $0.announcesCheckpoints = false
            }
        ) { store, _ in
            for batch in 0..<6 {
                _ = try await store.append(
                    (0..<100).map { EventFixtures.sshFailure(id: "b\(batch)-\($0)", payloadBytes: 2048) }
                )
            }
        }
        let report = try archiver(directory).run(nowMilliseconds: later)
        #expect(report.lastSequence == 500)
        let size = try #require(
            try FileManager.default.attributesOfItem(atPath: directory.path + "/tocsin.db")[.size] as? Int64
        )
        #expect(report.databaseBytesAfter < report.databaseBytesBefore / 3)
        #expect(size == report.databaseBytesAfter)
        #expect(report.archiveBytes < report.databaseBytesBefore / 10)
        #expect(try verify(directory, archives: true).failure == nil)
    }

    @Test("two archives and the live log verify as one chain")
    func chainAcrossFiles() async throws {
        let (directory, _, _) = try await twoArchives()
        defer { directory.remove() }
        #expect(try liveRange(directory) == [19, 20])
        let report = try verify(directory, archives: true)
        #expect(report.failure == nil)
        #expect(report.verifiedRecords == 20)
        #expect(report.verifiedArchives == 2)
        #expect(report.verifiedCheckpoints == 6)
    }

    @Test("a flipped byte inside an archived record is named with its file and sequence number")
    func alteredRecord() async throws {
        let (directory, _, second) = try await twoArchives()
        defer { directory.remove() }
        try rewrite(second) { records in
            var records = records
            records[3].data[10] ^= 0x01
            return records
        }
        let failure = try #require(try verify(directory, archives: true).failure)
        #expect(failure.sequence == 12)
        #expect(failure.reason == .altered)
        #expect(failure.archive == (second as NSString).lastPathComponent)
    }

    @Test("a record removed from an archive is named")
    func removedRecord() async throws {
        let (directory, _, second) = try await twoArchives()
        defer { directory.remove() }
        try rewrite(second) { records in records.filter { $0.sequence != 13 } }
        let failure = try #require(try verify(directory, archives: true).failure)
        #expect(failure.sequence == 13)
        #expect(failure.reason == .deleted)
        #expect(failure.archive == (second as NSString).lastPathComponent)
    }

    @Test("a raw byte flipped in a compressed block makes the block unreadable, named by file and range")
    func corruptedBlock() async throws {
        let (directory, first, _) = try await twoArchives()
        defer { directory.remove() }
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: first)))
        bytes[ArchiveFile.startMagic.count + 20] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: first))
        let failure = try #require(try verify(directory, archives: true).failure)
        #expect(failure.sequence == 1)
        #expect(failure.reason == .archiveUnreadable)
        #expect(failure.archive == (first as NSString).lastPathComponent)
    }

    @Test("archive files swapped by name are named")
    func swappedNames() async throws {
        let (directory, first, second) = try await twoArchives()
        defer { directory.remove() }
        let manager = FileManager.default
        try manager.moveItem(atPath: first, toPath: first + ".swap")
        try manager.moveItem(atPath: second, toPath: first)
        try manager.moveItem(atPath: first + ".swap", toPath: second)
        let failure = try #require(try verify(directory, archives: true).failure)
        #expect(failure.reason == .reordered)
        #expect(failure.archive == (first as NSString).lastPathComponent)
    }

    @Test("an archive replaced by another log's archive of the same range is named")
    func foreignArchive() async throws {
        let (directory, first, _) = try await twoArchives()
        defer { directory.remove() }
        let other = try TemporaryDirectory()
        defer { other.remove() }
        try await populate(other, prefix: "w")
        let foreign = try #require(try archiver(other).run(nowMilliseconds: later).archive)
        try FileManager.default.removeItem(atPath: first)
        try FileManager.default.copyItem(atPath: foreign, toPath: first)
        let failure = try #require(try verify(directory, archives: true).failure)
        #expect(failure.sequence == 4)
        #expect(failure.reason == .badSignature)
        #expect(failure.archive == (first as NSString).lastPathComponent)
    }

    @Test("a missing archive file is named, and the live log alone still verifies from the cut")
    func missingArchive() async throws {
        let (directory, first, second) = try await twoArchives()
        defer { directory.remove() }
        try FileManager.default.removeItem(atPath: first)
        let failure = try #require(try verify(directory, archives: true).failure)
        #expect(failure.sequence == 1)
        #expect(failure.reason == .deleted)
        #expect(failure.archive == (second as NSString).lastPathComponent)
        let live = try verify(directory, archives: false)
        #expect(live.failure == nil)
        #expect(live.archivedRecordsNotVerified == 18)
    }

    /// Rewrites an archive with its records transformed and its manifest unchanged, as someone
    /// who knows the format would.
    func rewrite(_ path: String, _ transform: ([LogRecord]) -> [LogRecord]) throws {
        let file = try ArchiveFile(path: path)
        var records: [LogRecord] = []
        for index in file.manifest.blocks.indices {
            records += try #require(try file.records(inBlock: index))
        }
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        var writer = try ArchiveFileWriter(directory: scratch.path)
        for record in transform(records) {
            try writer.append(record)
        }
        let written = try writer.finish(file.manifest)
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(atPath: written, toPath: path)
    }
}
