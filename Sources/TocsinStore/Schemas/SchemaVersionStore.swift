// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB

/// One registered version of an event type's schema, as the store keeps it.
public struct StoredSchemaVersion: Sendable, Hashable {
    /// The CloudEvents `type` the schema governs.
    public var type: String
    /// 1 for the first registration of the type, then consecutive.
    public var version: Int
    /// The schema document's JSON text, as registered.
    public var document: String
    /// The compatibility mode the next version must keep (`none`, `backward`, `forward`, `full`).
    public var compatibility: String
    /// Who registered it.
    public var actor: String
    /// When, in milliseconds since the epoch.
    public var createdAtMilliseconds: Int64

    /// Creates a row.
    public init(
        type: String,
        version: Int,
        document: String,
        compatibility: String,
        actor: String,
        createdAtMilliseconds: Int64
    ) {
        self.type = type
        self.version = version
        self.document = document
        self.compatibility = compatibility
        self.actor = actor
        self.createdAtMilliseconds = createdAtMilliseconds
    }
}

/// The registered schema versions, append-only.
public struct SchemaVersionStore: Sendable {
    private let pool: DatabasePool

    init(pool: DatabasePool) {
        self.pool = pool
    }

    /// Every version of every type, by type then version, to rebuild the registry at start.
    public func all() async throws -> [StoredSchemaVersion] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT type, version, document, compatibility, actor, created_ms
                    FROM event_schemas ORDER BY type, version
                    """
            ).map { row in
                StoredSchemaVersion(
                    type: row["type"],
                    version: row["version"],
                    document: row["document"],
                    compatibility: row["compatibility"],
                    actor: row["actor"],
                    createdAtMilliseconds: row["created_ms"]
                )
            }
        }
    }

    /// Stores `version` unless that type already has a row with its number.
    ///
    /// - Returns: `false` when the number is taken (another registration won the race; prepare again).
    public func insert(_ version: StoredSchemaVersion) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO event_schemas (type, version, document, compatibility, actor, created_ms)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    version.type, version.version, version.document, version.compatibility, version.actor,
                    version.createdAtMilliseconds,
                ]
            )
            return db.changesCount == 1
        }
    }

    /// The data of the most recent events of `type` whose data is JSON, newest first, at most `limit`.
    public func recentJSONData(of type: String, limit: Int) async throws -> [[UInt8]] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT data FROM events WHERE type = ? AND data_kind = 1 ORDER BY seq DESC LIMIT ?",
                arguments: [type, limit]
            ).map { row in
                let data: Data = row["data"]
                return Array(data)
            }
        }
    }
}

extension EventStore {
    /// The registered schema versions of event types.
    public var schemaVersions: SchemaVersionStore {
        SchemaVersionStore(pool: pool)
    }
}
