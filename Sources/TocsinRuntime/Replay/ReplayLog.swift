// SPDX-License-Identifier: Apache-2.0

import TocsinCore
import TocsinServer
import TocsinStore

/// The log a replay reads: the archived prefix from its verified archive files, then the live
/// log, in sequence order, with no gap and no record twice at the boundary (docs/replay.md).
struct ReplayLog {
    let store: EventStore
    let archiveDirectory: String
    let dataDirectory: String
    private(set) var archives: ArchivedLog

    /// The log as it stands now: which prefix is archived, and where its files are.
    ///
    /// - Throws: ``StoreError`` when the node key cannot be read; database errors.
    static func open(store: EventStore, archiveDirectory: String, dataDirectory: String) async throws -> ReplayLog {
        ReplayLog(
            store: store,
            archiveDirectory: archiveDirectory,
            dataDirectory: dataDirectory,
            archives: try await store.archivedLog(directory: archiveDirectory, dataDirectory: dataDirectory)
        )
    }

    /// Up to `limit` events after `after` and at most `last`, in sequence order; empty past `last`
    /// or the log's head.
    ///
    /// An archived stretch comes from its file (verified before its first use); the rest from the
    /// live log. When an archive run moved the live log's start since this log was opened, the
    /// archives are read again, so the moved records are read from their new file.
    ///
    /// - Throws: ``ArchiveProblem`` when a file the page needs is missing or does not verify.
    mutating func page(after: Int64, through last: Int64, limit: Int) async throws -> [LoggedEvent] {
        guard after < last else {
            return []
        }
        if after + 1 < archives.liveFirst {
            return try archives.events(after: after, through: last, limit: limit)
        }
        let live = try await store.query(EventQuery(after: after, limit: limit)).events
        if let first = live.first, first.sequence > after + 1 {
            archives = try await store.archivedLog(directory: archiveDirectory, dataDirectory: dataDirectory)
            if after + 1 < archives.liveFirst {
                return try archives.events(after: after, through: last, limit: limit)
            }
        }
        // A page within the range is returned as read, without copying its events.
        guard let tail = live.last, tail.sequence > last else {
            return live
        }
        return live.filter { $0.sequence <= last }
    }

    /// The sequence numbers the request's range covers, archived records included.
    ///
    /// The range is capped at the log's head now; `nil` when it holds no events. The archive files
    /// the range reaches are verified.
    ///
    /// - Throws: ``ArchiveProblem`` when a file the range needs is missing or does not verify.
    mutating func resolve(_ request: ReplayRequest) async throws -> ClosedRange<Int64>? {
        let head = try await store.lastSequence()
        let first: Int64
        switch request.from {
        case .sequence(let sequence): first = sequence
        case .time(let time): first = try await firstSequence(ingestedAtOrAfter: time) ?? head + 1
        }
        var last: Int64
        switch request.to {
        case .sequence(let sequence): last = sequence
        case .time(let time): last = (try await firstSequence(ingestedAtOrAfter: time) ?? head + 1) - 1
        }
        last = min(last, head)
        guard first <= last else {
            return nil
        }
        if first < archives.liveFirst {
            try archives.verify(first...last)
        }
        return first...last
    }

    /// The first sequence number ingested at or after `time`, in the archives or the live log.
    private mutating func firstSequence(ingestedAtOrAfter time: Int64) async throws -> Int64? {
        let live = try await store.firstSequence(ingestedAtOrAfter: time)
        // Only when the live log's first record qualifies can an archived one qualify too.
        guard !archives.isEmpty, live == nil || live == archives.liveFirst else {
            return live
        }
        if live == nil, try await store.lastSequence() >= archives.liveFirst {
            return nil
        }
        return try archives.firstSequence(ingestedAtOrAfter: time) ?? live
    }
}
