// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
public import TocsinBundles
import TocsinCore
import TocsinResponse

/// Cuts proof bundles (`tocsin audit bundle`) from a data directory's log, offline or while the
/// server runs on it.
///
/// It opens the database with writes refused (`query_only`), as ``AuditVerifier`` does, so it reads
/// a consistent snapshot beside a running server (WAL) and never changes the log. Whoever can read
/// the data directory can export evidence: the bundle holds the events' payloads as stored.
public struct BundleExporter: Sendable {
    /// What to export.
    public enum Subject: Sendable, Hashable {
        /// An alert, by its id (`alert-…`) or by its event's sequence number.
        case alert(String)
        /// One event, by sequence number.
        case event(Int64)
    }

    private let databasePath: String

    /// Prepares to read the log in `dataDirectory`.
    ///
    /// - Throws: ``StoreError`` when the directory holds no log.
    public init(dataDirectory: String) throws {
        self.databasePath = dataDirectory + "/" + DataDirectoryBackup.databaseName
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw StoreError(
                code: .keyFile,
                message: "there is no Tocsin log in \(dataDirectory) (no \(DataDirectoryBackup.databaseName)); "
                    + "pass the server's data directory with --data-dir DIR or TOCSIN_DATA_DIR"
            )
        }
    }

    /// The bundle for `subject`: the record, its evidence, rule and actions, each proven up to the
    /// first signed checkpoint that covers it.
    ///
    /// - Throws: ``BundleError`` with code ``BundleError/Code/notFound`` when the log has no such
    ///   alert or event, ``BundleError/Code/notCheckpointed`` when a record lies after the last
    ///   checkpoint, ``BundleError/Code/logDoesNotVerify`` when the log is broken where the bundle
    ///   needs it; database errors.
    public func export(_ subject: Subject) throws -> ProofBundle {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA query_only = 1") }
        let database = try DatabaseQueue(path: databasePath, configuration: configuration)
        return try database.read { db in
            let present = Set(try db.columns(in: "events").map(\.name))
            let chain = DatabaseChain(db: db, columns: LogRecord.columns(present: present))
            let assembler = ProofBundleAssembler(chain: chain)
            switch subject {
            case .event(let sequence):
                guard try chain.record(sequence) != nil else {
                    throw BundleError(
                        code: .notFound,
                        message: "the log has no record \(sequence); list events with 'tocsin events'",
                        sequence: sequence
                    )
                }
                return try assembler.assemble(
                    kind: .event,
                    subject: sequence,
                    evidence: [],
                    rule: nil,
                    actions: try BundleQueries.actions(for: sequence, db: db)
                )
            case .alert(let identifier):
                let (sequence, alert) = try BundleQueries.alert(identifier, chain: chain, db: db)
                return try assembler.assemble(
                    kind: .alert,
                    subject: sequence,
                    evidence: alert.evidence,
                    rule: try BundleQueries.rule(alert.rule, before: sequence, chain: chain, db: db),
                    actions: try BundleQueries.actions(for: sequence, db: db)
                )
            }
        }
    }
}

/// The log's records and checkpoints as the assembler reads them.
struct DatabaseChain: ChainReading {
    let db: Database
    let columns: String

    func record(_ sequence: Int64) throws -> LogRecord? {
        try Row.fetchOne(db, sql: "SELECT \(columns) FROM events WHERE seq = ?", arguments: [sequence])
            .map(LogRecord.init(row:))
    }

    func forEachRecord(
        from first: Int64,
        through last: Int64,
        _ body: (ChainRecord) throws(BundleError) -> Void
    ) throws {
        let rows = try Row.fetchCursor(
            db,
            sql: "SELECT \(columns) FROM events WHERE seq BETWEEN ? AND ? ORDER BY seq",
            arguments: [first, last]
        )
        while let row = try rows.next() {
            let record = LogRecord(row: row)
            try body(
                ChainRecord(
                    sequence: record.sequence,
                    canonical: record.canonicalBytes,
                    previousHash: record.previousHash,
                    hash: record.hash
                )
            )
        }
    }

    func checkpoint(coveringSequence sequence: Int64) throws -> ProofBundle.Checkpoint? {
        try checkpoint(
            sql: "SELECT seq, hash, signature FROM checkpoints WHERE seq >= ? ORDER BY seq LIMIT 1",
            sequence
        )
    }

    func lastCheckpoint() throws -> ProofBundle.Checkpoint? {
        try checkpoint(sql: "SELECT seq, hash, signature FROM checkpoints ORDER BY seq DESC LIMIT 1", nil)
    }

    private func checkpoint(sql: String, _ argument: Int64?) throws -> ProofBundle.Checkpoint? {
        try Row.fetchOne(db, sql: sql, arguments: StatementArguments(argument.map { [$0] } ?? []))
            .map { row in
                ProofBundle.Checkpoint(
                    sequence: row["seq"],
                    hash: Array(row["hash"] as Data),
                    signature: Array(row["signature"] as Data)
                )
            }
    }
}
