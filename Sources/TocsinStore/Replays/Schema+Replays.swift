// SPDX-License-Identifier: Apache-2.0

import GRDB

extension Schema {
    /// The `replays` table: one row per replay, with its resolved range, its progress and, once
    /// finished, its shadow report (migration `v8-replay`).
    ///
    /// A replay is also two events in the log (`tocsin.replay.started` and `.completed`); the row is
    /// what survives a restart in the middle and what `GET /v1/replays/{id}` reads.
    static func replays(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE replays (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    request TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    first_seq INTEGER NOT NULL,
                    last_seq INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    processed INTEGER NOT NULL DEFAULT 0,
                    cursor INTEGER NOT NULL,
                    restarts INTEGER NOT NULL DEFAULT 0,
                    report TEXT,
                    error TEXT,
                    created_ms INTEGER NOT NULL,
                    updated_ms INTEGER NOT NULL,
                    completed_ms INTEGER
                );
                CREATE INDEX replays_status ON replays(status);
                """
        )
    }
}
