// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB

extension Schema {
    /// The `archives` table: one row per archive file that took records out of the live log.
    ///
    /// The last row tells a verifier without the files where the live chain begins (its
    /// `last_seq` and `last_hash`); with the files, every row must have its file.
    static func archives(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE archives (
                    name TEXT PRIMARY KEY,
                    first_seq INTEGER NOT NULL,
                    last_seq INTEGER NOT NULL UNIQUE,
                    previous_hash BLOB NOT NULL,
                    last_hash BLOB NOT NULL,
                    bytes INTEGER NOT NULL,
                    sha256 BLOB NOT NULL,
                    archived_ms INTEGER NOT NULL
                )
                """
        )
    }
}

/// One row of the `archives` table.
struct ArchiveRegistryEntry: Sendable {
    var name: String
    var firstSequence: Int64
    var lastSequence: Int64
    var previousHash: [UInt8]
    var lastHash: [UInt8]

    /// Every registered archive in chain order, or none when the table does not exist (a log no
    /// archiving version has opened).
    static func all(_ db: Database) throws -> [ArchiveRegistryEntry] {
        guard try db.tableExists("archives") else {
            return []
        }
        return try Row.fetchAll(
            db,
            sql: "SELECT name, first_seq, last_seq, previous_hash, last_hash FROM archives ORDER BY last_seq"
        )
        .map {
            ArchiveRegistryEntry(
                name: $0["name"],
                firstSequence: $0["first_seq"],
                lastSequence: $0["last_seq"],
                previousHash: Array($0["previous_hash"] as Data),
                lastHash: Array($0["last_hash"] as Data)
            )
        }
    }
}
