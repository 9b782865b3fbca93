// SPDX-License-Identifier: Apache-2.0

import GRDB

extension Schema {
    /// `v8-schemas`: every registered version of each event type's JSON Schema, as registered.
    ///
    /// Rows are never updated or deleted: a new version is a new row, and the registration is also an event.
    static func eventSchemas(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE event_schemas (
                    type TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    document TEXT NOT NULL,
                    compatibility TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    created_ms INTEGER NOT NULL,
                    PRIMARY KEY (type, version)
                ) WITHOUT ROWID
                """
        )
    }
}
