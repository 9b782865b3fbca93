// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinCore
import TocsinTesting

@testable import TocsinStore

/// Reads through archives mounted read-only: pages that cross from archive files into the live
/// log, filters, single events, and files that are tampered with or missing.
struct HistoryEventLogTests {
    let archives = ArchiveTests()

    /// Every page of `query`, followed by its `next` cursor; the sequence numbers in order and how
    /// many pages it took.
    func walk(_ log: HistoryEventLog, _ query: EventQuery) async throws -> (sequences: [Int64], pages: Int) {
        var query = query
        var sequences: [Int64] = []
        var pages = 0
        while true {
            let page = try await log.query(query)
            pages += 1
            sequences += page.events.map(\.sequence)
            guard let next = page.nextCursor else {
                return (sequences, pages)
            }
            query.after = next
        }
    }

    @Test("pages run from the first archive through the second into the live log without a gap or a double")
    func pagesCrossArchives() async throws {
        let (directory, _, _) = try await archives.twoArchives()
        defer { directory.remove() }
        try await withRunningStore(directory: directory) { store, _ in
            let log = try HistoryEventLog(store: store, archiveDirectory: directory.path + "/archives")
            for limit in [1, 3, 7, 8, 100] {
                let walked = try await walk(log, EventQuery(limit: limit))
                #expect(walked.sequences == Array(1...20), "limit \(limit)")
            }
            let fromMiddle = try await walk(log, EventQuery(after: 6, limit: 5))
            #expect(fromMiddle.sequences == Array(7...20))
            let live = try await log.query(EventQuery(after: 18, limit: 100))
            #expect(live.events.map(\.sequence) == [19, 20])
        }
    }

    @Test("filters apply to archived records as to live ones")
    func filters() async throws {
        let (directory, _, _) = try await archives.twoArchives()
        defer { directory.remove() }
        try await withRunningStore(directory: directory) { store, _ in
            _ = try await store.append([EventFixtures.sshFailure(id: "other", source: "/ssh/bastion-2")])
            let log = try HistoryEventLog(store: store, archiveDirectory: directory.path + "/archives")
            let first = try await walk(log, EventQuery(source: "/ssh/bastion-1", limit: 4))
            #expect(first.sequences == Array(1...20))
            let second = try await walk(log, EventQuery(source: "/ssh/bastion-2", limit: 4))
            #expect(second.sequences == [21])
            let time = try #require(Timestamp(rfc3339: "2026-11-25T10:00:00Z")).epochMilliseconds
            let before = try await walk(log, EventQuery(timeTo: time, limit: 4))
            #expect(before.sequences.isEmpty)
            let from = try await walk(log, EventQuery(subject: "root", timeFrom: time, limit: 50))
            #expect(from.sequences == Array(1...21))
            var excluding = EventQuery(limit: 50)
            excluding.excludingTypePrefix = "ssh."
            #expect(try await walk(log, excluding).sequences.isEmpty)
        }
    }

    @Test("a page decompresses at most its block budget and hands back a cursor to go on from")
    func blockBudget() async throws {
        let (directory, _, _) = try await archives.twoArchives()
        defer { directory.remove() }
        try await withRunningStore(directory: directory) { store, _ in
            let log = try HistoryEventLog(
                store: store,
                archiveDirectory: directory.path + "/archives",
                blocksPerPage: 1
            )
            let page = try await log.query(EventQuery(source: "/nowhere", limit: 10))
            #expect(page.events.isEmpty)
            #expect(page.nextCursor == 8)
            let walked = try await walk(log, EventQuery(source: "/nowhere", limit: 10))
            #expect(walked.sequences.isEmpty)
            // The second page reads the second archive's block, then the live log (no budget).
            #expect(walked.pages == 2)
        }
    }

    @Test("a single archived event reads from its block, with the hash the chain gave it")
    func singleEvent() async throws {
        let (directory, _, _) = try await archives.twoArchives()
        defer { directory.remove() }
        try await withRunningStore(directory: directory) { store, _ in
            let log = try HistoryEventLog(store: store, archiveDirectory: directory.path + "/archives")
            let all = try await log.query(EventQuery(limit: 100)).events
            for sequence: Int64 in [1, 8, 9, 18, 19, 20] {
                #expect(try await log.event(at: sequence) == all[Int(sequence) - 1])
            }
            #expect(try await log.event(at: 21) == nil)
            #expect(try await store.event(at: 5) == nil)
        }
    }

    @Test("a tampered archive is named, for pages and single events, and earlier archives still read")
    func tampered() async throws {
        let (directory, _, second) = try await archives.twoArchives()
        defer { directory.remove() }
        try archives.rewrite(second) { records in
            var records = records
            records[3].data[10] ^= 0x01
            return records
        }
        let name = (second as NSString).lastPathComponent
        try await withRunningStore(directory: directory) { store, _ in
            let log = try HistoryEventLog(store: store, archiveDirectory: directory.path + "/archives")
            #expect(try await log.query(EventQuery(limit: 8)).events.count == 8)
            let paged = await #expect(throws: ArchiveUnavailable.self) {
                try await log.query(EventQuery(limit: 100))
            }
            #expect(paged?.archive == name)
            #expect(paged?.sequence == 12)
            let single = await #expect(throws: ArchiveUnavailable.self) { try await log.event(at: 15) }
            #expect(single?.message.contains("does not verify") == true)
            #expect(try await log.event(at: 19) != nil)
        }
    }

    @Test("a missing archive is named, with the directory it was looked for in")
    func missing() async throws {
        let (directory, first, _) = try await archives.twoArchives()
        defer { directory.remove() }
        try FileManager.default.removeItem(atPath: first)
        try await withRunningStore(directory: directory) { store, _ in
            let log = try HistoryEventLog(store: store, archiveDirectory: directory.path + "/archives")
            let error = await #expect(throws: ArchiveUnavailable.self) { try await log.event(at: 2) }
            #expect(error?.archive == (first as NSString).lastPathComponent)
            #expect(error?.message.contains("missing") == true)
            #expect(try await log.query(EventQuery(after: 8, limit: 100)).events.count == 12)
        }
    }

    @Test(
        "the archive filter is the live query's filter",
        arguments: [
            (EventQuery(), true),
            (EventQuery(source: "/ssh/bastion-1"), true),
            (EventQuery(source: "/ssh/bastion-2"), false),
            (EventQuery(type: "ssh.login.failed", subject: "root"), true),
            (EventQuery(subject: "admin"), false),
            (EventQuery(timeFrom: 1_795_600_800_000), true),
            (EventQuery(timeFrom: 1_795_600_800_001), false),
            (EventQuery(timeTo: 1_795_600_800_000), false),
            (EventQuery(timeTo: 1_795_600_800_001), true),
        ]
    )
    func matches(query: EventQuery, expected: Bool) {
        let record = LogRecord(entry: LogEntry(event: EventFixtures.sshFailure(id: "a")), ingestMilliseconds: 1)
        #expect(record.matches(query) == expected)
    }

    @Test("a time filter leaves out records without an event time, as SQL does")
    func untimed() {
        var event = EventFixtures.sshFailure(id: "a")
        event.time = nil
        let record = LogRecord(entry: LogEntry(event: event), ingestMilliseconds: 1)
        #expect(!record.matches(EventQuery(timeFrom: 0)))
        #expect(!record.matches(EventQuery(timeTo: .max)))
        #expect(record.matches(EventQuery()))
    }
}
