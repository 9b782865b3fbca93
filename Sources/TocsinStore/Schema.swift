// SPDX-License-Identifier: Apache-2.0

import GRDB

/// The store's forward-only, named migrations.
enum Schema {
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
        return migrator
    }
}
