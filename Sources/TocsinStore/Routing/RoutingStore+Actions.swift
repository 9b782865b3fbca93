// SPDX-License-Identifier: Apache-2.0

import GRDB
public import TocsinResponse

/// State of the built-in actions: the blocklist and the incident read model.
extension RoutingStore {
    /// Adds (or extends) a blocklist entry.
    public func block(_ entry: BlocklistEntry) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO blocklist (entry, expires_ms, added_ms, rule, event_seq) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(entry) DO UPDATE SET expires_ms = MAX(expires_ms, excluded.expires_ms),
                        rule = excluded.rule, event_seq = excluded.event_seq
                    """,
                arguments: [
                    entry.entry, entry.expiresMilliseconds, entry.addedMilliseconds, entry.rule, entry.eventSequence,
                ]
            )
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

    /// Opens an incident for `key`, or adds the event to the open one.
    ///
    /// - Returns: the incident and whether it was opened now.
    public func recordIncident(
        key: String,
        title: String,
        severity: String,
        rule: String,
        eventSequence: Int64,
        now: Int64
    ) async throws -> (incident: IncidentRecord, opened: Bool) {
        try await pool.write { db in
            let existed =
                try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM incidents WHERE key = ?)", arguments: [key])
                ?? false
            try db.execute(
                sql: """
                    INSERT INTO incidents (key, title, severity, rule, status, first_ms, last_ms, events, last_event_seq)
                    VALUES (?, ?, ?, ?, 'open', ?, ?, 1, ?)
                    ON CONFLICT(key) DO UPDATE SET last_ms = excluded.last_ms, events = events + 1,
                        last_event_seq = excluded.last_event_seq, status = 'open'
                    """,
                arguments: [key, title, severity, rule, now, now, eventSequence]
            )
            let row = try Row.fetchOne(db, sql: "SELECT * FROM incidents WHERE key = ?", arguments: [key])
            guard let row else {
                throw StoreError(code: .corruptRecord, message: "the incident just written cannot be read back")
            }
            return (Self.incident(row), !existed)
        }
    }

    /// Incidents, most recently active first.
    public func incidents(limit: Int = 1000) async throws -> [IncidentRecord] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM incidents ORDER BY last_ms DESC, id DESC LIMIT ?",
                arguments: [limit]
            )
            .map(Self.incident)
        }
    }

    private static func incident(_ row: Row) -> IncidentRecord {
        IncidentRecord(
            id: row["id"],
            key: row["key"],
            title: row["title"],
            severity: row["severity"],
            rule: row["rule"],
            status: row["status"],
            firstMilliseconds: row["first_ms"],
            lastMilliseconds: row["last_ms"],
            events: row["events"],
            lastEventSequence: row["last_event_seq"]
        )
    }
}
