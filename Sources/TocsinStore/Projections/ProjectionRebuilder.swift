// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
public import TocsinCore

/// Rebuilds read models from the log, compares them with the live ones, and keeps them following
/// the log.
///
/// A rebuild folds the projection's events from sequence 1 into a scratch database beside the
/// live one (short reads; ingestion goes on), then, in one write transaction, folds the events
/// appended meanwhile, replaces the live tables' rows with the scratch rows and sets the cursor.
/// Readers see the old tables until that transaction commits and the new ones after it.
public struct ProjectionRebuilder: Sendable {
    /// Events folded per batch.
    static let batchSize = 1000

    let pool: DatabasePool
    /// Opens the target secrets a rebuilt target refers to.
    let sealer: DefinitionSealer
    let scratchDirectory: String
    /// Where `tocsin archive run` put the log's first ranges, folded before the live log.
    let archiveDirectory: String

    /// A rebuilder over `store`'s database, with its scratch files in `scratchDirectory` (the data
    /// directory: a scratch copy can be as large as the read model) and the archive files, if the
    /// log's first ranges were archived, in `archiveDirectory` (by default `archives` in the data
    /// directory).
    public init(store: EventStore, scratchDirectory: String, archiveDirectory: String? = nil) {
        self.pool = store.pool
        self.sealer = store.routing.sealer
        self.scratchDirectory = scratchDirectory
        self.archiveDirectory =
            archiveDirectory ?? (store.pool.path as NSString).deletingLastPathComponent + "/archives"
    }

    /// The projections' names, in registration order.
    public static var names: [String] {
        ProjectionRegistry.all.map(\.name)
    }

    /// Drops the projection's read model and folds it again from the whole log, swapping the result
    /// in atomically.
    ///
    /// - Throws: ``StoreError`` `refused` for an unknown name, or when rows the log does not
    ///   describe would be lost (an identity that still has keys); database errors. On any error
    ///   the live tables are as they were.
    public func rebuild(_ name: String) async throws -> ProjectionRebuild {
        let projection = try Self.projection(name)
        return try await withScratch(projection, bound: nil) { [pool, sealer] scratch, path, folded in
            try await pool.writeWithoutTransaction { db in
                // Holding the writer, nothing is appended from here on; the scratch catches up
                // before it is attached (an attached database is locked by the transaction below).
                let tail = try Self.catchUp(projection, scratch: scratch, db: db, after: folded.through)
                try db.execute(sql: "ATTACH DATABASE ? AS rebuild", arguments: [path])
                defer { try? db.execute(sql: "DETACH DATABASE rebuild") }
                try projection.checkRebuilt(db, sealer: sealer)
                var result = ProjectionRebuild(projection: name, through: 0, events: folded.events, rows: [:])
                do {
                    try db.inTransaction {
                        // Foreign keys into these tables (key_secrets → identities) are checked at
                        // commit, once the rebuilt rows are in: a rebuild that would orphan one fails.
                        try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
                        for table in projection.tables {
                            let columns = try Self.columns(of: table, db: db)
                            let owned = projection.ownedRows[table] ?? "1"
                            try db.execute(sql: "DELETE FROM main.\(table) WHERE \(owned)")
                            try db.execute(
                                sql: """
                                    INSERT INTO main.\(table) (\(columns))
                                    SELECT \(columns) FROM rebuild.\(table) WHERE \(owned)
                                    """
                            )
                            result.rows[table] =
                                try Int.fetchOne(db, sql: "SELECT count(*) FROM main.\(table) WHERE \(owned)") ?? 0
                        }
                        try ProjectionEvents.setCursor(db, name: projection.cursorName, to: tail.through)
                        result.through = tail.through
                        result.events += tail.events
                        return .commit
                    }
                } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                    throw StoreError(
                        code: .refused,
                        message:
                            "the rebuilt \(name) read model lacks rows that other tables refer to, so it was not swapped in; "
                            + "start `tocsin serve` once so that it logs rows written before the log recorded them"
                    )
                }
                return result
            }
        }
    }

    /// Compares the live read model with a fresh fold of the whole log, leaving the live tables as they are.
    ///
    /// Folds the projection again into a scratch copy and compares it, row by row over every column,
    /// with the live tables at the same sequence number.
    ///
    /// - Parameters:
    ///   - name: The projection.
    ///   - nowMilliseconds: The time that decides which rows count (unexpired blocks).
    /// - Returns: The comparison, table by table.
    /// - Throws: ``StoreError`` `refused` for an unknown name; database errors.
    public func compare(_ name: String, nowMilliseconds: Int64) async throws -> ProjectionComparison {
        let projection = try Self.projection(name)
        let compared = projection.comparedRows(nowMilliseconds: nowMilliseconds)
        let filters = Dictionary(
            uniqueKeysWithValues: projection.tables.map { table in
                (table, "(\(projection.ownedRows[table] ?? "1")) AND (\(compared[table] ?? "1"))")
            }
        )
        // A projection with a service of its own reflects the log up to its cursor, which only
        // moves forward: the fresh fold stops there too.
        let start = try await liveBound(projection)
        return try await withScratch(projection, bound: start) { [pool, sealer] scratch, path, folded in
            try await pool.writeWithoutTransaction { db in
                let bound =
                    try projection.isFollowedGenerically
                    ? nil : ProjectionEvents.cursor(db, name: projection.cursorName) ?? 0
                let tail = try Self.catchUp(projection, scratch: scratch, db: db, after: folded.through, bound: bound)
                try db.execute(sql: "ATTACH DATABASE ? AS rebuild", arguments: [path])
                defer { try? db.execute(sql: "DETACH DATABASE rebuild") }
                try projection.checkRebuilt(db, sealer: sealer)
                var comparison = ProjectionComparison(projection: name, through: tail.through, tables: [])
                try db.inTransaction {
                    for table in projection.tables {
                        comparison.tables.append(
                            try Self.compare(
                                table,
                                filter: filters[table] ?? "1",
                                key: projection.keyColumns[table],
                                db: db
                            )
                        )
                    }
                    return .rollback
                }
                return comparison
            }
        }
    }

    /// Applies the events after each generically followed projection's cursor to its live tables
    /// (one batch each) and moves the cursors.
    ///
    /// - Returns: Whether every one reached the head of the log.
    public func follow() async throws -> Bool {
        var caughtUp = true
        for projection in ProjectionRegistry.all where projection.isFollowedGenerically {
            caughtUp =
                try await pool.write { db in
                    guard let cursor = try ProjectionEvents.cursor(db, name: projection.cursorName) else {
                        return true
                    }
                    let batch = try ProjectionEvents.next(
                        db,
                        types: projection.followedEventTypes,
                        after: cursor,
                        limit: Self.batchSize
                    )
                    for logged in batch.events {
                        try projection.apply(logged, to: db)
                    }
                    try ProjectionEvents.setCursor(db, name: projection.cursorName, to: batch.through)
                    return batch.isCaughtUp
                } && caughtUp
        }
        return caughtUp
    }

    /// The generically followed projections that have never been built (a projection added since
    /// the last start), and the events to append first for rows the log does not describe yet.
    public func pendingBackfills(identifiers: EventIdentifiers) async throws -> (names: [String], events: [CloudEvent])
    {
        try await pool.read { db in
            var names: [String] = []
            var events: [CloudEvent] = []
            for projection in ProjectionRegistry.all where projection.isFollowedGenerically {
                events += try projection.unloggedRows(db, identifiers: identifiers)
                if try ProjectionEvents.cursor(db, name: projection.cursorName) == nil {
                    names.append(projection.name)
                }
            }
            return (names, events)
        }
    }

    /// The events to append before `name` can be rebuilt without losing rows the log does not describe.
    public func unloggedRows(_ name: String, identifiers: EventIdentifiers) async throws -> [CloudEvent] {
        let projection = try Self.projection(name)
        return try await pool.read { db in try projection.unloggedRows(db, identifiers: identifiers) }
    }

    // MARK: - Scratch database

    /// The cursor of a projection followed by a service of its own, or `nil` (the head of the log).
    private func liveBound(_ projection: any Projection) async throws -> Int64? {
        guard !projection.isFollowedGenerically else {
            return nil
        }
        return try await pool.read { db in try ProjectionEvents.cursor(db, name: projection.cursorName) ?? 0 }
    }

    /// Folds the log (up to `bound`, if any) into a fresh scratch database, runs `body` with it
    /// open, then deletes it.
    private func withScratch<T>(
        _ projection: any Projection,
        bound: Int64?,
        _ body: (DatabaseQueue, String, (through: Int64, events: Int)) async throws -> T
    ) async throws -> T {
        // One file per call, so that two rebuilds at once never share a scratch database.
        let path = scratchDirectory + "/projection-\(projection.name)-\(UUID().uuidString).rebuild.sqlite"
        defer { Self.removeScratch(path) }
        let scratch = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(scratch)
        // Folding needs the whole history: archived ranges are folded from their files first.
        var (cursor, events) = try await foldArchives(projection, into: scratch)
        while true {
            let after = cursor
            let batch = try await pool.read { db in
                try ProjectionEvents.next(
                    db,
                    types: projection.eventTypes,
                    after: after,
                    limit: Self.batchSize,
                    bound: bound
                )
            }
            try await scratch.write { db in
                for logged in batch.events {
                    try projection.apply(logged, to: db)
                }
            }
            events += batch.events.count
            cursor = batch.through
            if batch.isCaughtUp {
                break
            }
        }
        return try await body(scratch, path, (cursor, events))
    }

    /// Folds into the scratch database the events appended after `through`, reading them through
    /// `db`, the writer's connection (so nothing is appended meanwhile).
    private static func catchUp(
        _ projection: any Projection,
        scratch: DatabaseQueue,
        db: Database,
        after through: Int64,
        bound: Int64? = nil
    ) throws -> (through: Int64, events: Int) {
        var cursor = through
        var events = 0
        while true {
            let batch = try ProjectionEvents.next(
                db,
                types: projection.eventTypes,
                after: cursor,
                limit: Self.batchSize,
                bound: bound
            )
            try scratch.write { scratchDB in
                for logged in batch.events {
                    try projection.apply(logged, to: scratchDB)
                }
            }
            events += batch.events.count
            cursor = batch.through
            if batch.isCaughtUp {
                return (cursor, events)
            }
        }
    }

    /// Deletes scratch databases a rebuild interrupted by a crash left in `directory`.
    ///
    /// Call it at start, before any rebuild runs.
    public static func removeLeftovers(in directory: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names where name.hasPrefix("projection-") && name.contains(".rebuild.sqlite") {
            try? FileManager.default.removeItem(atPath: directory + "/" + name)
        }
    }

    private static func removeScratch(_ path: String) {
        for suffix in ["", "-journal", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: path + suffix)
        }
    }

    // MARK: - Tables

    private static func projection(_ name: String) throws -> any Projection {
        guard let projection = ProjectionRegistry.projection(named: name) else {
            throw StoreError(
                code: .refused,
                message: "there is no projection named \(name); choose one of: \(names.joined(separator: ", "))"
            )
        }
        return projection
    }

    /// The table's columns in the live database, quoted and comma-separated.
    private static func columns(of table: String, db: Database) throws -> String {
        try columnNames(of: table, db: db).map { "\"\($0)\"" }.joined(separator: ", ")
    }

    private static func columnNames(of table: String, db: Database) throws -> [String] {
        try Row.fetchAll(db, sql: "PRAGMA main.table_info(\(table))").map { $0["name"] as String }
    }

    private static func compare(
        _ table: String,
        filter: String,
        key: String?,
        db: Database
    ) throws -> ProjectionComparison.Table {
        let columns = try columns(of: table, db: db)
        let live = "SELECT \(columns) FROM main.\(table) WHERE \(filter)"
        let rebuilt = "SELECT \(columns) FROM rebuild.\(table) WHERE \(filter)"
        let count: (String) throws -> Int = { sql in try Int.fetchOne(db, sql: "SELECT count(*) FROM (\(sql))") ?? 0 }
        let key = try key ?? columnNames(of: table, db: db).first ?? "rowid"
        let differing = try String.fetchAll(
            db,
            sql: """
                SELECT DISTINCT CAST("\(key)" AS TEXT) FROM (
                    SELECT * FROM (\(live) EXCEPT \(rebuilt)) UNION SELECT * FROM (\(rebuilt) EXCEPT \(live))
                ) LIMIT 5
                """
        )
        return .init(
            name: table,
            liveRows: try count(live),
            rebuiltRows: try count(rebuilt),
            onlyLive: try count("\(live) EXCEPT \(rebuilt)"),
            onlyRebuilt: try count("\(rebuilt) EXCEPT \(live)"),
            differingKeys: differing
        )
    }
}
