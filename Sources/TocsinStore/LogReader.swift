// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
public import TocsinCore

/// Reads the log of a data directory offline, without a server and without writing.
///
/// This is what `tocsin rules backtest` replays. Safe while a server runs on the same directory
/// (WAL readers).
public struct LogReader: Sendable {
    private let databasePath: String

    /// A reader of the log in `dataDirectory`.
    public init(dataDirectory: String) {
        databasePath = StoreConfiguration(dataDirectory: dataDirectory).databasePath
    }

    /// Calls `body` with every event whose event time (or, without one, ingest time) lies in
    /// `from..<to` (milliseconds since the epoch), in sequence order.
    ///
    /// - Throws: ``StoreError`` when the database cannot be read or a record is corrupt, and what
    ///   `body` throws.
    public func forEachEvent(from: Int64, to: Int64, _ body: (LoggedEvent) throws -> Void) throws {
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw StoreError(code: .refused, message: "no log at \(databasePath); pass the server's --data-dir")
        }
        // As AuditVerifier: read-write connection, writes refused with query_only.
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA query_only = 1") }
        let database = try DatabaseQueue(path: databasePath, configuration: configuration)
        try database.read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT \(LogRecord.columns) FROM events
                    WHERE COALESCE(time_ms, ingest_ms) >= ? AND COALESCE(time_ms, ingest_ms) < ? ORDER BY seq
                    """,
                arguments: [from, to]
            )
            while let row = try rows.next() {
                try body(try LogRecord(row: row).loggedEvent())
            }
        }
    }
}
