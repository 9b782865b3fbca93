// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
import TocsinCore

/// A read-only pass over a data directory's log for `tocsin compliance report`: each event's
/// source, type, JSON data and enrichment, and the facts the report states about the controls.
public struct ComplianceHistory: Sendable {
    /// One event as the report reads it.
    public struct Record: Sendable {
        /// The event's `source`.
        public var source: String
        /// The event's `type`.
        public var type: String
        /// The data's JSON bytes, or `nil` when the event has no JSON data.
        public var json: [UInt8]?
        /// The enrichment's JSON bytes, when enrichment found something at ingest.
        public var enrichment: [UInt8]?
        /// When the event was stored, in milliseconds since the epoch.
        public var ingestMilliseconds: Int64
    }

    /// What the data directory says about its controls.
    public struct Controls: Sendable, Hashable {
        /// Identities (API keys, certificate subjects) not revoked.
        public var activeIdentities = 0
        /// Of those, the ones with the admin role.
        public var adminIdentities = 0
        /// Identities revoked.
        public var revokedIdentities = 0
        /// Signed checkpoints in the log.
        public var signedCheckpoints = 0
        /// Whether the compliance policy's hash key exists (a policy ran at ingest).
        public var complianceKey = false
    }

    let dataDirectory: String
    let databasePath: String

    /// A reader of the log in `dataDirectory`.
    ///
    /// - Throws: ``StoreError`` when the directory holds no log.
    public init(dataDirectory: String) throws {
        self.dataDirectory = dataDirectory
        self.databasePath = dataDirectory + "/" + DataDirectoryBackup.databaseName
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw StoreError(
                code: .keyFile,
                message: "there is no Tocsin log in \(dataDirectory) (no \(DataDirectoryBackup.databaseName)); "
                    + "pass the server's data directory with --data-dir DIR or TOCSIN_DATA_DIR"
            )
        }
    }

    /// Calls `body` with every event ingested from `from` until before `to` (milliseconds since the
    /// epoch, either `nil` for no bound), in sequence order, then returns the controls.
    ///
    /// - Throws: Database errors, and what `body` throws.
    public func read(
        from: Int64?,
        to: Int64?,
        _ body: (Record) throws -> Void
    ) throws -> Controls {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA query_only = 1") }
        let database = try DatabaseQueue(path: databasePath, configuration: configuration)
        var controls = Controls()
        try database.read { db in
            let hasEnrichment = try db.columns(in: "events").contains { $0.name == "enrichment" }
            let enrichment = hasEnrichment ? "enrichment" : "NULL"
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT source, type, data_kind, data, \(enrichment), ingest_ms FROM events
                    WHERE ingest_ms >= ? AND ingest_ms < ? ORDER BY seq
                    """,
                arguments: [from ?? Int64.min, to ?? Int64.max]
            )
            while let row = try rows.next() {
                let kind: Int64 = row[2]
                let data: Data = row[3]
                let enrichmentData: Data? = row[4]
                try body(
                    Record(
                        source: row[0],
                        type: row[1],
                        json: kind == 1 ? Array(data) : nil,
                        enrichment: enrichmentData.map(Array.init),
                        ingestMilliseconds: row[5]
                    )
                )
            }
            controls.activeIdentities =
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM identities WHERE revoked_ms IS NULL") ?? 0
            controls.adminIdentities =
                try Int.fetchOne(
                    db,
                    sql:
                        "SELECT COUNT(*) FROM identities WHERE revoked_ms IS NULL AND ',' || roles || ',' LIKE '%,admin,%'"
                ) ?? 0
            controls.revokedIdentities =
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM identities WHERE revoked_ms IS NOT NULL") ?? 0
            controls.signedCheckpoints = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM checkpoints") ?? 0
        }
        let files = FileManager.default
        controls.complianceKey = files.fileExists(atPath: dataDirectory + "/" + KeyFiles.complianceKeyName)
        return controls
    }
}
