// SPDX-License-Identifier: Apache-2.0

import GRDB

extension Schema {
    /// `v9-replay`: deliveries that belong to a replay (docs/replay.md).
    ///
    /// A replay's delivery may repeat a live one's (event, rule, target), so the table-wide
    /// uniqueness on those three becomes a partial index over live deliveries, and a replay's
    /// deliveries are unique by (replay, idempotency key) instead: a replay a restart runs again
    /// records each delivery once. `replay_event` holds the record a replay delivers, in the archive
    /// record coding, because it may be an archived event or an alert the replay raised, neither
    /// of which is in the live log. SQLite cannot drop a table constraint, so the table is rebuilt;
    /// the AUTOINCREMENT counter is carried over, so no delivery id is handed out twice.
    static func replayDeliveries(_ db: Database) throws {
        let columns = """
            id, event_seq, rule, target, input, state, attempts, routed_ms, next_ms, first_attempt_ms,
            last_attempt_ms, error_kind, error_status, error_exit, error_message, reason, redrives
            """
        let counter = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'deliveries'")
        try db.execute(
            sql: """
                CREATE TABLE deliveries_new (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    event_seq INTEGER NOT NULL,
                    rule TEXT NOT NULL,
                    target TEXT NOT NULL,
                    input TEXT,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    routed_ms INTEGER NOT NULL,
                    next_ms INTEGER NOT NULL,
                    first_attempt_ms INTEGER,
                    last_attempt_ms INTEGER,
                    error_kind TEXT,
                    error_status INTEGER,
                    error_exit INTEGER,
                    error_message TEXT,
                    reason TEXT,
                    redrives INTEGER NOT NULL DEFAULT 0,
                    replay_id INTEGER,
                    replay_key TEXT,
                    replay_event BLOB
                );
                INSERT INTO deliveries_new (\(columns)) SELECT \(columns) FROM deliveries;
                DROP TABLE deliveries;
                ALTER TABLE deliveries_new RENAME TO deliveries;
                CREATE UNIQUE INDEX deliveries_live ON deliveries(event_seq, rule, target) WHERE replay_id IS NULL;
                CREATE UNIQUE INDEX deliveries_replay ON deliveries(replay_id, replay_key) WHERE replay_id IS NOT NULL;
                CREATE INDEX deliveries_due ON deliveries(state, next_ms);
                CREATE INDEX deliveries_target ON deliveries(target, state, next_ms);
                """
        )
        let kept = try Int64.fetchOne(db, sql: "SELECT max(id) FROM deliveries") ?? 0
        let highest = max(counter ?? 0, kept)
        if highest > 0 {
            try db.execute(sql: "DELETE FROM sqlite_sequence WHERE name = 'deliveries'")
            try db.execute(
                sql: "INSERT INTO sqlite_sequence (name, seq) VALUES ('deliveries', ?)",
                arguments: [highest]
            )
        }
    }
}
