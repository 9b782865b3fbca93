// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
public import TocsinCore

/// Reads the log of a data directory, archived ranges included, record by record and byte for byte,
/// offline and without writing (`tocsin migrate`).
///
/// Archived files are verified (as `tocsin audit verify --archives` does) before their first
/// record is read.
public struct LogExport: Sendable {
    private let database: DatabaseQueue
    private var archives: ArchivedLog?

    /// Opens the log of `dataDirectory`, with its archive files in `archiveDirectory` (needed when
    /// ranges were archived).
    ///
    /// - Throws: ``StoreError`` when there is no log there, or ranges were archived and no archive
    ///   directory was given; database errors.
    public init(dataDirectory: String, archiveDirectory: String?) throws {
        let path = StoreConfiguration(dataDirectory: dataDirectory).databasePath
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(code: .refused, message: "no log at \(path); pass the server's --data-dir")
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA query_only = 1") }
        database = try DatabaseQueue(path: path, configuration: configuration)
        let entries = try database.read { db in try ArchivedLog.entries(db) }
        guard !entries.isEmpty else {
            archives = nil
            return
        }
        guard let archiveDirectory else {
            throw StoreError(
                code: .refused,
                message:
                    "records 1-\(entries.last?.lastSequence ?? 0) are archived; pass --archives with their directory"
            )
        }
        let publicKey = try KeyFiles.loadPublicKey(from: dataDirectory + "/" + KeyFiles.nodePublicKeyName)
        archives = ArchivedLog(directory: archiveDirectory, entries: entries, publicKey: publicKey)
    }

    /// The newest sequence number (0 for an empty log).
    public func lastSequence() throws -> Int64 {
        try database.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM events") } ?? 0
    }

    /// Up to `limit` records after `after`, in sequence order, from the archives and then the live log.
    ///
    /// - Throws: ``ArchiveProblem`` when an archive file is missing or does not verify; database errors.
    public mutating func records(after: Int64, limit: Int) throws -> [ChainedRecord] {
        if var archived = archives, after < archived.liveFirst - 1 {
            defer { archives = archived }
            return try archived.logRecords(after: after, limit: limit).map(\.exported)
        }
        return try database.read { db in
            let columns = LogRecord.columns(present: Set(try db.columns(in: "events").map(\.name)))
            return try Row.fetchAll(
                db,
                sql: "SELECT \(columns) FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                arguments: [after, limit]
            )
            .map { LogRecord(row: $0).exported }
        }
    }
}

extension ArchivedLog {
    /// Up to `limit` archived records after `after`, as stored; empty past the archives.
    mutating func logRecords(after: Int64, limit: Int) throws(ArchiveProblem) -> [LogRecord] {
        guard let entry = entries.first(where: { $0.lastSequence > after }) else {
            return []
        }
        let file = try file(entry)
        do {
            var found: [LogRecord] = []
            for (index, block) in file.manifest.blocks.enumerated() where block.lastSequence > after {
                guard let records = try file.records(inBlock: index) else {
                    throw ArchiveProblem(file: entry.name, message: "block \(index) does not decompress")
                }
                found += records.filter { $0.sequence > after && $0.sequence <= entry.lastSequence }
                if found.count >= limit {
                    break
                }
            }
            return Array(found.prefix(limit))
        } catch let problem as ArchiveProblem {
            throw problem
        } catch {
            throw ArchiveProblem(file: entry.name, message: "\(error)")
        }
    }
}

extension LogRecord {
    var exported: ChainedRecord {
        ChainedRecord(sequence: sequence, source: source, id: id, type: type, canonical: canonicalBytes, hash: hash)
    }
}
