// SPDX-License-Identifier: Apache-2.0

import GRDB
public import TocsinResponse

/// State of the blocklist action.
extension RoutingStore {
    /// Adds a blocklist entry, or extends the active entry of the same address
    /// (``BlocklistProjection/upsertSQL``), unless `maxEntries` other entries
    /// are active at the entry's time: the count and the write are one transaction.
    ///
    /// - Returns: Whether the entry was stored (`false`: the list is full).
    public func block(_ entry: BlocklistEntry, maxEntries: Int) async throws -> Bool {
        try await pool.write { db in
            let now = entry.addedMilliseconds
            let renewal = try Bool.fetchOne(
                db,
                sql: "SELECT EXISTS(SELECT 1 FROM blocklist WHERE entry = ? AND expires_ms > ?)",
                arguments: [entry.entry, now]
            )
            if renewal != true {
                let active = try Int.fetchOne(
                    db,
                    sql: "SELECT COUNT(*) FROM blocklist WHERE expires_ms > ?",
                    arguments: [now]
                )
                guard (active ?? 0) < maxEntries else {
                    return false
                }
            }
            // The entries expired at the entry's time go first, as the blocklist projection's fold does.
            try db.execute(sql: "DELETE FROM blocklist WHERE expires_ms <= ?", arguments: [now])
            try db.execute(
                sql: BlocklistProjection.upsertSQL,
                arguments: [
                    entry.entry, entry.expiresMilliseconds, entry.addedMilliseconds, entry.rule, entry.eventSequence,
                ]
            )
            return true
        }
    }

    /// Entries not expired at `now`, after deleting the expired ones.
    public func activeBlocks(now: Int64) async throws -> [BlocklistEntry] {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM blocklist WHERE expires_ms <= ?", arguments: [now])
            return try Row.fetchAll(db, sql: "SELECT * FROM blocklist ORDER BY entry").map { row in
                let entry: String = row["entry"]
                return BlocklistEntry(
                    entry: entry,
                    isV6: entry.contains(":"),
                    addedMilliseconds: row["added_ms"],
                    expiresMilliseconds: row["expires_ms"],
                    rule: row["rule"],
                    eventSequence: row["event_seq"]
                )
            }
        }
    }
}
