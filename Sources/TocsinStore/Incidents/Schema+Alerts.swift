// SPDX-License-Identifier: Apache-2.0

import GRDB

extension Schema {
    /// The alert and incident read models, folded from the log by the incident projection.
    ///
    /// The incidents table of `v2-routing` was written directly by the `incident` target, outside
    /// the log. It is kept as `incidents_legacy` when it holds rows: the projection raises one alert
    /// per legacy incident on its first start (so the log holds them too) and then drops it. An
    /// empty one is dropped here.
    static func alertsAndIncidents(_ db: Database) throws {
        let legacy = try Int.fetchOne(db, sql: "SELECT count(*) FROM incidents") ?? 0
        if legacy > 0 {
            try db.execute(sql: "ALTER TABLE incidents RENAME TO incidents_legacy")
        } else {
            try db.execute(sql: "DROP TABLE incidents")
        }
        try db.execute(
            sql: """
                CREATE TABLE incidents (
                    id INTEGER PRIMARY KEY,
                    key TEXT NOT NULL,
                    rule TEXT NOT NULL,
                    title TEXT NOT NULL,
                    level TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    group_json TEXT NOT NULL,
                    status TEXT NOT NULL,
                    assignee TEXT,
                    first_ms INTEGER NOT NULL,
                    last_ms INTEGER NOT NULL,
                    alerts INTEGER NOT NULL,
                    events INTEGER NOT NULL,
                    opened_seq INTEGER NOT NULL,
                    last_alert_seq INTEGER NOT NULL,
                    announced INTEGER NOT NULL DEFAULT 0
                );
                CREATE UNIQUE INDEX incidents_active_key ON incidents(key) WHERE status <> 'closed';
                CREATE INDEX incidents_recent ON incidents(last_ms, id);
                CREATE INDEX incidents_unannounced ON incidents(id) WHERE announced = 0;
                CREATE TABLE alerts (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    rule TEXT NOT NULL,
                    level TEXT NOT NULL,
                    last_ms INTEGER NOT NULL,
                    raised_ms INTEGER NOT NULL,
                    incident INTEGER,
                    data TEXT NOT NULL
                );
                CREATE INDEX alerts_rule ON alerts(rule, seq);
                CREATE INDEX alerts_incident ON alerts(incident, seq);
                CREATE INDEX alerts_time ON alerts(last_ms);
                CREATE TABLE incident_actions (
                    seq INTEGER PRIMARY KEY,
                    incident INTEGER NOT NULL,
                    verb TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    assignee TEXT,
                    note TEXT,
                    at_ms INTEGER NOT NULL,
                    refusal TEXT
                );
                CREATE INDEX incident_actions_incident ON incident_actions(incident, seq);
                """
        )
    }
}
