// SPDX-License-Identifier: Apache-2.0

import GRDB

/// The store's forward-only, named migrations.
enum Schema {
    /// Makes delivery ids never reused.
    ///
    /// `AUTOINCREMENT` instead of SQLite's `max(id) + 1`, which gave a purged or pruned delivery's
    /// id to the next one, so the log's `tocsin.delivery.*` events of two deliveries named the
    /// same id. SQLite cannot add it in place, so the table is rebuilt.
    /// The counter starts past every id still in the table and every id the log's delivery events
    /// name (written as `delivery-<id>-<redrives>-<attempt>` before this migration), so ids purged
    /// before the upgrade are not handed out again either.
    static func deliveryIdentifiers(_ db: Database) throws {
        let columns = """
            id, event_seq, rule, target, input, state, attempts, routed_ms, next_ms, first_attempt_ms,
            last_attempt_ms, error_kind, error_status, error_exit, error_message, reason, redrives
            """
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
                    UNIQUE (event_seq, rule, target)
                );
                INSERT INTO deliveries_new (\(columns)) SELECT \(columns) FROM deliveries;
                DROP TABLE deliveries;
                ALTER TABLE deliveries_new RENAME TO deliveries;
                CREATE INDEX deliveries_due ON deliveries(state, next_ms);
                CREATE INDEX deliveries_target ON deliveries(target, state, next_ms);
                """
        )
        let logged =
            try Int64.fetchOne(
                db,
                sql: """
                    SELECT max(CAST(substr(id, 10, instr(substr(id, 10), '-') - 1) AS INTEGER)) FROM events
                    WHERE source = '/tocsin/delivery' AND id GLOB 'delivery-[0-9]*-[0-9]*-[0-9]*'
                    """
            ) ?? 0
        let kept = try Int64.fetchOne(db, sql: "SELECT max(id) FROM deliveries") ?? 0
        let highest = max(logged, kept)
        if highest > 0 {
            try db.execute(sql: "DELETE FROM sqlite_sequence WHERE name = 'deliveries'")
            try db.execute(
                sql: "INSERT INTO sqlite_sequence (name, seq) VALUES ('deliveries', ?)",
                arguments: [highest]
            )
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-log") { db in
            try db.execute(
                sql: """
                    CREATE TABLE events (
                        seq INTEGER PRIMARY KEY,
                        source TEXT NOT NULL,
                        id TEXT NOT NULL,
                        type TEXT NOT NULL,
                        subject TEXT,
                        time_ms INTEGER,
                        attributes BLOB NOT NULL,
                        data_kind INTEGER NOT NULL,
                        data BLOB NOT NULL,
                        ingest_ms INTEGER NOT NULL,
                        prev_hash BLOB NOT NULL,
                        hash BLOB NOT NULL
                    );
                    CREATE UNIQUE INDEX events_source_id ON events(source, id);
                    CREATE INDEX events_type ON events(type, seq);
                    CREATE TABLE checkpoints (
                        seq INTEGER PRIMARY KEY,
                        hash BLOB NOT NULL,
                        signature BLOB NOT NULL,
                        signed_ms INTEGER NOT NULL
                    );
                    CREATE TABLE api_keys (
                        name TEXT PRIMARY KEY,
                        key_hash BLOB NOT NULL UNIQUE,
                        created_ms INTEGER NOT NULL,
                        revoked_ms INTEGER
                    );
                    """
            )
        }
        migrator.registerMigration("v2-routing") { db in
            try db.execute(
                sql: """
                    CREATE TABLE definitions (
                        kind TEXT NOT NULL,
                        name TEXT NOT NULL,
                        json TEXT NOT NULL,
                        updated_ms INTEGER NOT NULL,
                        PRIMARY KEY (kind, name)
                    );
                    CREATE TABLE cursors (
                        name TEXT PRIMARY KEY,
                        seq INTEGER NOT NULL
                    );
                    CREATE TABLE deliveries (
                        id INTEGER PRIMARY KEY,
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
                        UNIQUE (event_seq, rule, target)
                    );
                    CREATE INDEX deliveries_due ON deliveries(state, next_ms);
                    CREATE INDEX deliveries_target ON deliveries(target, state, next_ms);
                    CREATE TABLE blocklist (
                        entry TEXT PRIMARY KEY,
                        expires_ms INTEGER NOT NULL,
                        added_ms INTEGER NOT NULL,
                        rule TEXT NOT NULL,
                        event_seq INTEGER NOT NULL
                    );
                    CREATE TABLE incidents (
                        id INTEGER PRIMARY KEY,
                        key TEXT NOT NULL UNIQUE,
                        title TEXT NOT NULL,
                        severity TEXT NOT NULL,
                        rule TEXT NOT NULL,
                        status TEXT NOT NULL,
                        first_ms INTEGER NOT NULL,
                        last_ms INTEGER NOT NULL,
                        events INTEGER NOT NULL,
                        last_event_seq INTEGER NOT NULL
                    );
                    """
            )
        }
        migrator.registerMigration("v3-ocsf") { db in
            try db.execute(sql: "ALTER TABLE events ADD COLUMN ocsf BLOB")
        }
        migrator.registerMigration("v4-delivery-ids", migrate: deliveryIdentifiers)
        migrator.registerMigration("v5-identities") { db in
            // The single all-powerful key table becomes named identities with roles, and their
            // secrets (SHA-256 only; several during a rotation's grace period).
            try db.execute(
                sql: """
                    CREATE TABLE identities (
                        name TEXT PRIMARY KEY,
                        roles TEXT NOT NULL,
                        scope TEXT,
                        expires_ms INTEGER,
                        certificate_cn TEXT UNIQUE,
                        created_ms INTEGER NOT NULL,
                        revoked_ms INTEGER
                    );
                    CREATE TABLE key_secrets (
                        hash BLOB PRIMARY KEY,
                        identity TEXT NOT NULL REFERENCES identities(name),
                        created_ms INTEGER NOT NULL,
                        expires_ms INTEGER
                    );
                    INSERT INTO identities (name, roles, created_ms, revoked_ms)
                        SELECT name, 'admin', created_ms, revoked_ms FROM api_keys;
                    INSERT INTO key_secrets (hash, identity, created_ms)
                        SELECT key_hash, name, created_ms FROM api_keys;
                    DROP TABLE api_keys;
                    """
            )
        }
        migrator.registerMigration("v6-alerts-incidents", migrate: alertsAndIncidents)
        migrator.registerMigration("v7-enrichment") { db in
            // What enrichment found at ingest (threat intelligence, identity); NULL when nothing, as
            // for every record written before it existed, so those keep their canonical bytes.
            try db.execute(sql: "ALTER TABLE events ADD COLUMN enrichment BLOB")
        }
        migrator.registerMigration("v8-replay", migrate: replays)
        migrator.registerMigration("v8-archives", migrate: archives)
        migrator.registerMigration("v8-schemas", migrate: eventSchemas)
        migrator.registerMigration("v9-replay", migrate: replayDeliveries)
        migrator.registerMigration("v9-target-secrets", migrate: targetSecrets)
        return migrator
    }
}
