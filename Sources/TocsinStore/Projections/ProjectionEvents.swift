// SPDX-License-Identifier: Apache-2.0

import GRDB
import TocsinCore

/// Reads a projection's events from the log in sequence order.
enum ProjectionEvents {
    /// The next events of `types` after `cursor` (at most about `limit`, none after `bound`), and
    /// how far they cover.
    ///
    /// Each type is read along its own index range (`events_type`) and the lists merged, so a batch
    /// costs the same at any point of a long log. `through` is the head of the log (or `bound`) when
    /// the batch reaches it, so the cursor moves over events the projection does not read.
    static func next(
        _ db: Database,
        types: [String],
        after cursor: Int64,
        limit: Int,
        bound: Int64? = nil
    ) throws -> (events: [LoggedEvent], through: Int64, isCaughtUp: Bool) {
        var records: [LogRecord] = []
        var batchEnd = Int64.max
        for type in types {
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT \(LogRecord.columns) FROM events WHERE type = ? AND seq > ? ORDER BY seq LIMIT ?"
                ),
                arguments: [type, cursor, limit]
            )
            if rows.count == limit, let last = rows.last {
                batchEnd = min(batchEnd, last["seq"] as Int64)
            }
            records += rows.map(LogRecord.init(row:))
        }
        let head = try Int64.fetchOne(db, sql: "SELECT max(seq) FROM events") ?? 0
        var through = batchEnd == .max ? max(head, cursor) : batchEnd
        var isCaughtUp = batchEnd == .max
        if let bound, through >= bound {
            through = max(bound, cursor)
            isCaughtUp = true
        }
        let events = try records.filter { $0.sequence <= through }.sorted { $0.sequence < $1.sequence }
            .map { try $0.loggedEvent() }
        return (events, through, isCaughtUp)
    }

    /// The projection's cursor in `db`, or `nil` before its first back-fill.
    static func cursor(_ db: Database, name: String) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT seq FROM cursors WHERE name = ?", arguments: [name])
    }

    /// Moves the projection's cursor in `db`.
    static func setCursor(_ db: Database, name: String, to sequence: Int64) throws {
        try db.execute(
            sql: "INSERT INTO cursors (name, seq) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET seq = excluded.seq",
            arguments: [name, sequence]
        )
    }
}
