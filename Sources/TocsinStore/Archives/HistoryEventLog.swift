// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
public import TocsinCore

/// The live log with its archive files mounted read-only: reads reach archived sequence numbers
/// transparently; appends go to the live log.
///
/// A page that starts in an archive continues into the next archive and then into the live log,
/// with no gap and no double: the `archives` table and the live page are read in one database
/// snapshot, and an archive run moves records out of the live log and registers their file in
/// one transaction. Filters apply to archived records exactly as to live ones. The manifest's
/// block index is used to decompress only the blocks past the cursor, and a page decompresses at
/// most ``blocksPerPage`` blocks: a page over archives may hold fewer events than its limit (even
/// none) while its `next` cursor is set; follow it.
///
/// Every file is verified before its first use (``ArchiveMount``); a file that is missing,
/// unreadable or does not verify makes the read throw ``ArchiveUnavailable`` naming it.
public struct HistoryEventLog: EventLog, Sendable {
    /// The live log.
    public let store: EventStore
    private let mount: ArchiveMount
    /// How many archive blocks (up to 1,024 records each) one page may decompress.
    public let blocksPerPage: Int

    /// Mounts `archiveDirectory` over `store`.
    ///
    /// - Parameters:
    ///   - store: The live log.
    ///   - archiveDirectory: Where the archive files are (need not exist until there are archives).
    ///   - blocksPerPage: How many archive blocks one page may decompress. Default 16.
    /// - Throws: ``StoreError`` when the node's public key (which verifies the archives'
    ///   checkpoints) cannot be read.
    public init(store: EventStore, archiveDirectory: String, blocksPerPage: Int = 16) throws {
        let dataDirectory = (store.pool.path as NSString).deletingLastPathComponent
        let publicKey = try KeyFiles.loadPublicKey(from: dataDirectory + "/" + KeyFiles.nodePublicKeyName)
        self.store = store
        self.mount = ArchiveMount(directory: archiveDirectory, publicKey: publicKey)
        self.blocksPerPage = max(1, blocksPerPage)
    }

    /// Appends to the live log.
    public func append(entries: [LogEntry]) async throws -> [AppendReceipt] {
        try await store.append(entries: entries)
    }

    /// The event at `sequence`, from the live log or the archive that holds it.
    ///
    /// - Throws: ``ArchiveUnavailable`` when the archive that holds it cannot be used.
    public func event(at sequence: Int64) async throws -> LoggedEvent? {
        if let live = try await store.event(at: sequence) {
            return live
        }
        let entries = try await store.pool.read { db in try ArchiveRegistryEntry.all(db) }
        guard let entry = entries.first(where: { ($0.firstSequence...$0.lastSequence).contains(sequence) }) else {
            return nil
        }
        let mount = self.mount
        let file = try await ArchiveMount.offPool { try mount.file(entry) }
        guard let index = file.manifest.blocks.firstIndex(where: { $0.lastSequence >= sequence }) else {
            return nil
        }
        let records = try await ArchiveMount.offPool { try mount.records(of: file, block: index, entry: entry) }
        return try records.first { $0.sequence == sequence }.map { try $0.loggedEvent() }
    }

    /// One page of events matching `query`, from the archives and then the live log.
    ///
    /// - Throws: ``ArchiveUnavailable`` when an archive the page needs cannot be used.
    public func query(_ query: EventQuery) async throws -> EventPage {
        let limit = max(1, query.limit)
        var collected: [LoggedEvent] = []
        var cursor = query.after
        var blocksLeft = blocksPerPage
        let mount = self.mount
        while true {
            var rest = query
            rest.after = cursor
            rest.limit = limit - collected.count
            let snapshot = rest
            let (archived, live) = try await store.pool.read { db -> ([ArchiveRegistryEntry], EventPage?) in
                let entries = try ArchiveRegistryEntry.all(db).filter { $0.lastSequence > snapshot.after }
                return entries.isEmpty ? ([], try EventStore.page(db, snapshot)) : (entries, nil)
            }
            if let live {
                return EventPage(events: collected + live.events, nextCursor: live.nextCursor)
            }
            for entry in archived {
                let file = try await ArchiveMount.offPool { try mount.file(entry) }
                for (index, block) in file.manifest.blocks.enumerated() where block.lastSequence > cursor {
                    guard blocksLeft > 0 else {
                        return EventPage(events: collected, nextCursor: cursor)
                    }
                    blocksLeft -= 1
                    let records = try await ArchiveMount.offPool {
                        try mount.records(of: file, block: index, entry: entry)
                    }
                    for record in records
                    where record.sequence > cursor {
                        cursor = record.sequence
                        guard record.matches(query) else {
                            continue
                        }
                        collected.append(try record.loggedEvent())
                        if collected.count == limit {
                            return EventPage(events: collected, nextCursor: cursor)
                        }
                    }
                }
                cursor = max(cursor, entry.lastSequence)
            }
        }
    }

    /// The highest committed sequence number.
    public func lastSequence() async throws -> Int64 {
        try await store.lastSequence()
    }

    /// Waits for a commit past `sequence`, or until `timeout`.
    public func waitForAppend(after sequence: Int64, timeout: Duration) async {
        await store.waitForAppend(after: sequence, timeout: timeout)
    }
}

extension LogRecord {
    /// Whether the record passes `query`'s filters, as ``EventStore/page(_:_:)``'s SQL decides
    /// (a time filter excludes records without an event time).
    func matches(_ query: EventQuery) -> Bool {
        let exact: [(String?, String?)] = [(query.source, source), (query.type, type), (query.subject, subject)]
        guard exact.allSatisfy({ wanted, value in wanted == nil || wanted == value }) else {
            return false
        }
        if let from = query.timeFrom {
            guard let time = timeMilliseconds, time >= from else {
                return false
            }
        }
        if let to = query.timeTo {
            guard let time = timeMilliseconds, time < to else {
                return false
            }
        }
        if let prefix = query.excludingTypePrefix, type.utf8.starts(with: prefix.utf8) {
            return false
        }
        return true
    }
}
