// SPDX-License-Identifier: Apache-2.0

import Crypto
import Foundation
import GRDB
import TocsinCore

/// Re-walks the hash chain of a data directory offline and checks every checkpoint signature.
///
/// It opens the database with writes refused (`query_only`) and reports the first sequence number that does not verify.
public struct AuditVerifier: Sendable {
    /// Why verification failed.
    public enum Reason: String, Sendable {
        /// A record's content or hash no longer matches its chain hash.
        case altered
        /// A record is missing from the chain.
        case deleted
        /// A record is intact but stands at the wrong position.
        case reordered
        /// A checkpoint's signature does not verify with the node's public key.
        case badSignature = "bad-signature"
        /// A checkpoint names a hash the chain does not have at that sequence number.
        case checkpointMismatch = "checkpoint-mismatch"
        /// Records after the last one present were removed (a checkpoint names a later sequence).
        case truncated
        /// The witness file holds a signed checkpoint that the log no longer has.
        case witnessMissing = "witness-missing"
        /// The log's checkpoint differs from the one the witness file holds (hash or signature).
        case witnessMismatch = "witness-mismatch"
        /// An archive file, or a block inside it, cannot be read.
        case archiveUnreadable = "archive-unreadable"
        /// An archive file the log records having written is not in the archive directory.
        case archiveMissing = "archive-missing"
    }

    /// The first problem found.
    public struct Failure: Sendable, CustomStringConvertible {
        /// The first sequence number that fails.
        public var sequence: Int64
        /// Why it fails.
        public var reason: Reason
        /// A sentence for the operator.
        public var message: String
        /// The archive file the failure is in, when it is in one.
        public var archive: String?

        /// `"sequence N: reason: message"`, with `(archive FILE)` after the number for a failure
        /// inside an archive.
        public var description: String {
            let place = archive.map { " (archive \($0))" } ?? ""
            return "sequence \(sequence)\(place): \(reason.rawValue): \(message)"
        }
    }

    /// The outcome of a verification.
    public struct Report: Sendable {
        /// How many records verified before the end or the first failure.
        public var verifiedRecords: Int64
        /// How many checkpoint signatures verified.
        public var verifiedCheckpoints: Int
        /// The first failure, or `nil` when everything verified.
        public var failure: Failure?
        /// The sequence number of the last checkpoint that verified (0 for none).
        public var lastCheckpointSequence: Int64 = 0
        /// How many witnessed checkpoints matched the log; `nil` when no witness was given.
        public var witnessedCheckpoints: Int?
        /// How many archive files verified (0 when no archive directory was given).
        public var verifiedArchives = 0
        /// How many records before the live log were archived but not checked, because no
        /// archive directory was given (the live log's start was checked against the signed
        /// checkpoint at the cut).
        public var archivedRecordsNotVerified: Int64 = 0

        /// How many verified records lie after the last signed checkpoint: protected by the chain
        /// only, until the next checkpoint signs them.
        public var recordsAfterLastCheckpoint: Int64 {
            max(0, verifiedRecords + archivedRecordsNotVerified - lastCheckpointSequence)
        }
    }

    private let databasePath: String
    let publicKey: Curve25519.Signing.PublicKey
    private let witnessPath: String?
    let archiveDirectory: String?

    /// Prepares to verify `dataDirectory` with the node key in `publicKeyPath` (default `<dir>/node.pub`),
    /// against the checkpoint witness file at `witnessPath` when one is given, and together with
    /// the archive files in `archiveDirectory` (as one chain) when one is given.
    ///
    /// - Throws: ``StoreError`` when the public key cannot be read.
    public init(
        dataDirectory: String,
        publicKeyPath: String? = nil,
        witnessPath: String? = nil,
        archiveDirectory: String? = nil
    ) throws {
        self.databasePath = dataDirectory + "/tocsin.db"
        self.witnessPath = witnessPath
        self.archiveDirectory = archiveDirectory
        // The data directory is checked first: a wrong directory also lacks the key, and the key is
        // not what needs fixing then.
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw StoreError(
                code: .keyFile,
                message:
                    "there is no Tocsin log in \(dataDirectory) (no tocsin.db); pass the server's data directory with --data-dir DIR or TOCSIN_DATA_DIR"
            )
        }
        self.publicKey = try KeyFiles.loadPublicKey(
            from: publicKeyPath ?? dataDirectory + "/" + KeyFiles.nodePublicKeyName
        )
    }

    /// Walks the whole chain, then compares every checkpoint of the witness file with the log.
    ///
    /// - Throws: ``StoreError`` when the database or the witness file cannot be read.
    public func verify() throws -> Report {
        let witnessed = try witnessPath.map(CheckpointWitness.lines(in:))
        // A read-only SQLite connection cannot always attach to a WAL database whose -shm file is
        // gone (it answers SQLITE_BUSY), so open read-write but refuse writes with query_only.
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA query_only = 1") }
        let database = try DatabaseQueue(path: databasePath, configuration: configuration)
        return try database.read { db in
            var report = try verify(db)
            if let witnessed {
                try compare(witnessed, into: &report, db: db)
            }
            return report
        }
    }

    private func verify(_ db: Database) throws -> Report {
        var checkpoints: [Int64: (hash: [UInt8], signature: [UInt8])] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT seq, hash, signature FROM checkpoints") {
            checkpoints[row["seq"]] = (Array(row["hash"] as Data), Array(row["signature"] as Data))
        }
        var report = Report(verifiedRecords: 0, verifiedCheckpoints: 0, failure: nil)
        let start = try archivedPrefix(db, checkpoints: &checkpoints, report: &report)
        if report.failure != nil {
            return report
        }
        var previous = start.previousHash
        var expected = start.nextSequence
        // `audit verify` never migrates: a log an older version wrote is read as it is.
        let present = Set(try db.columns(in: "events").map(\.name))
        let columns = LogRecord.columns(present: present)
        let rows = try Row.fetchCursor(db, sql: "SELECT \(columns) FROM events ORDER BY seq")
        while let row = try rows.next() {
            let record = LogRecord(row: row)
            if let failure = try ChainCheck.record(record, expected: expected, previous: previous, db: db) {
                report.failure = failure
                return report
            }
            if let checkpoint = checkpoints.removeValue(forKey: record.sequence) {
                if let failure = ChainCheck.checkpoint(
                    hash: checkpoint.hash,
                    signature: checkpoint.signature,
                    at: record,
                    publicKey: publicKey
                ) {
                    report.failure = failure
                    return report
                }
                report.verifiedCheckpoints += 1
                report.lastCheckpointSequence = record.sequence
            }
            previous = record.hash
            expected += 1
            report.verifiedRecords += 1
        }
        if let later = checkpoints.keys.min() {
            report.failure = Failure(
                sequence: expected,
                reason: .truncated,
                message: "the log ends at \(expected - 1) but a signed checkpoint covers \(later)"
            )
        }
        return report
    }
}
