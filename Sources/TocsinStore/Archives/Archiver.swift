// SPDX-License-Identifier: Apache-2.0

import Crypto
import Foundation
import GRDB
public import TocsinCore

/// Moves the expired prefix of the live log into an archive file, then out of the database.
///
/// One run: plan the cut (``ArchiveCut``, with ``RetentionPolicy``), write the records exactly as
/// stored into a new archive file (durably, see ``ArchiveFileWriter``), read the file back and
/// verify it against the database, and only then, in one transaction that re-checks the range,
/// register the file and delete its records. Optionally vacuums the database so its file shrinks.
public struct Archiver: Sendable {
    /// What a run did.
    public struct Report: Sendable, Codable {
        /// The archive file written, or `nil` when nothing was due.
        public var archive: String?
        /// The first archived sequence number (0 when nothing was archived).
        public var firstSequence: Int64 = 0
        /// The last archived sequence number (0 when nothing was archived).
        public var lastSequence: Int64 = 0
        /// The archive file's size in bytes.
        public var archiveBytes: Int64 = 0
        /// The database's size (with its WAL) before the run, in bytes.
        public var databaseBytesBefore: Int64 = 0
        /// The database's size (with its WAL) after the run, in bytes.
        public var databaseBytesAfter: Int64 = 0
        /// Why nothing was archived, when nothing was.
        public var reason: String?

        /// How many records left the live log.
        public var records: Int64 {
            archive == nil ? 0 : lastSequence - firstSequence + 1
        }
    }

    private let database: any DatabaseWriter
    private let databasePath: String
    private let archiveDirectory: String
    private let policy: RetentionPolicy
    private let publicKey: Curve25519.Signing.PublicKey

    init(
        database: any DatabaseWriter,
        databasePath: String,
        archiveDirectory: String,
        policy: RetentionPolicy,
        publicKey: Curve25519.Signing.PublicKey
    ) {
        self.database = database
        self.databasePath = databasePath
        self.archiveDirectory = archiveDirectory
        self.policy = policy
        self.publicKey = publicKey
    }

    /// An archiver over the data directory `dataDirectory` for `tocsin archive run`.
    ///
    /// The database is migrated if needed. Archiving while the server runs is safe (the deleting
    /// transaction re-checks the range under SQLite's write lock), but vacuuming then blocks
    /// ingestion while it lasts.
    ///
    /// - Parameters:
    ///   - dataDirectory: The server's data directory (with `tocsin.db` and `node.pub`).
    ///   - archiveDirectory: Where archive files go; created (0700) when missing.
    ///   - policy: The retention per source and type.
    /// - Returns: The archiver, ready to ``run(nowMilliseconds:vacuums:)``.
    /// - Throws: ``StoreError`` when the directory holds no log or the key cannot be read.
    public static func open(
        dataDirectory: String,
        archiveDirectory: String,
        policy: RetentionPolicy
    ) throws -> Archiver {
        let path = dataDirectory + "/tocsin.db"
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(
                code: .keyFile,
                message:
                    "there is no Tocsin log in \(dataDirectory) (no tocsin.db); pass the data directory with --data-dir"
            )
        }
        let publicKey = try KeyFiles.loadPublicKey(from: dataDirectory + "/" + KeyFiles.nodePublicKeyName)
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        let pool = try DatabasePool(path: path, configuration: configuration)
        try Schema.migrator.migrate(pool)
        try ensureDirectory(archiveDirectory)
        return Archiver(
            database: pool,
            databasePath: path,
            archiveDirectory: archiveDirectory,
            policy: policy,
            publicKey: publicKey
        )
    }

    /// Archives what is due at `nowMilliseconds`; vacuums the database afterwards when
    /// `vacuums` and something was archived.
    ///
    /// - Throws: ``StoreError`` when the file cannot be written or verified (the database is
    ///   then left unchanged), or the range changed meanwhile; database errors.
    public func run(nowMilliseconds: Int64, vacuums: Bool = true) throws -> Report {
        var report = Report()
        report.databaseBytesBefore = databaseBytes()
        let plan = try database.read { db in try ArchivePlan.make(db, policy: policy, nowMilliseconds: nowMilliseconds)
        }
        guard let cut = plan.cut else {
            report.reason = plan.reason
            report.databaseBytesAfter = report.databaseBytesBefore
            return report
        }
        let path = try write(first: plan.liveFirst, last: cut, nowMilliseconds: nowMilliseconds)
        let file: ArchiveFile
        let lastHash: [UInt8]
        do {
            (file, lastHash) = try verifyWritten(path, plan: plan, cut: cut)
            try remove(file, lastHash: lastHash, plan: plan, nowMilliseconds: nowMilliseconds)
        } catch {
            // The records are still live: the file must not claim them.
            unlink(path)
            throw error
        }
        if vacuums {
            try database.vacuum()
            try database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        }
        report.archive = path
        report.firstSequence = plan.liveFirst
        report.lastSequence = cut
        report.archiveBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
        report.databaseBytesAfter = databaseBytes()
        return report
    }

    /// Writes records `first...cut` and their checkpoints into a new archive file.
    private func write(first: Int64, last cut: Int64, nowMilliseconds: Int64) throws -> String {
        var writer = try ArchiveFileWriter(directory: archiveDirectory)
        do {
            let manifest = try database.read { db -> ArchiveManifest in
                let present = Set(try db.columns(in: "events").map(\.name))
                let rows = try Row.fetchCursor(
                    db,
                    sql:
                        "SELECT \(LogRecord.columns(present: present)) FROM events WHERE seq BETWEEN ? AND ? ORDER BY seq",
                    arguments: [first, cut]
                )
                var previous: [UInt8] = []
                var lastHash: [UInt8] = []
                while let row = try rows.next() {
                    let record = LogRecord(row: row)
                    if previous.isEmpty {
                        previous = record.previousHash
                    }
                    lastHash = record.hash
                    try writer.append(record)
                }
                let checkpoints = try Row.fetchAll(
                    db,
                    sql:
                        "SELECT seq, hash, signature, signed_ms FROM checkpoints WHERE seq BETWEEN ? AND ? ORDER BY seq",
                    arguments: [first, cut]
                ).map {
                    ArchiveManifest.Checkpoint(
                        sequence: $0["seq"],
                        hash: Hex.encode(Array($0["hash"] as Data)),
                        signature: Hex.encode(Array($0["signature"] as Data)),
                        signedMilliseconds: $0["signed_ms"]
                    )
                }
                return ArchiveManifest(
                    firstSequence: first,
                    lastSequence: cut,
                    previousHash: Hex.encode(previous),
                    lastHash: Hex.encode(lastHash),
                    checkpoints: checkpoints,
                    blocks: [],
                    createdMilliseconds: nowMilliseconds
                )
            }
            return try writer.finish(manifest)
        } catch {
            writer.abandon()
            throw error
        }
    }

    /// Reads the new file back and verifies it continues the database's chain and ends at its
    /// hash at `cut`; returns the file and that hash.
    private func verifyWritten(_ path: String, plan: ArchivePlan, cut: Int64) throws -> (ArchiveFile, [UInt8]) {
        let file = try ArchiveFile(path: path)
        let start = ArchiveChainVerifier.Outcome(nextSequence: plan.liveFirst, previousHash: plan.previousHash)
        var none: [Int64: ArchiveChainVerifier.SignedCheckpoint] = [:]
        let outcome = try ArchiveChainVerifier(publicKey: publicKey).verify(
            [path],
            from: start,
            databaseCheckpoints: &none
        )
        if let failure = outcome.failure {
            throw StoreError(
                code: .archive,
                message: "the new archive does not verify (\(failure)); nothing was deleted, check the disk",
                sequence: failure.sequence
            )
        }
        return (file, outcome.previousHash)
    }

    /// Registers `file` and deletes its records, after checking they are still exactly the
    /// archived ones.
    private func remove(_ file: ArchiveFile, lastHash: [UInt8], plan: ArchivePlan, nowMilliseconds: Int64) throws {
        let manifest = file.manifest
        let digest = try Self.sha256(of: file.path)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int64) ?? 0
        try database.write { db in
            let first = try Int64.fetchOne(db, sql: "SELECT min(seq) FROM events")
            let stored = try Data.fetchOne(
                db,
                sql: "SELECT hash FROM events WHERE seq = ?",
                arguments: [manifest.lastSequence]
            )
            guard first == manifest.firstSequence, stored.map(Array.init) == lastHash else {
                throw StoreError(
                    code: .archive,
                    message:
                        "the live log changed while archiving (another archive run?); nothing was deleted, run it again"
                )
            }
            try db.execute(
                sql: """
                    INSERT INTO archives (name, first_seq, last_seq, previous_hash, last_hash, bytes, sha256, archived_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    file.name, manifest.firstSequence, manifest.lastSequence, Data(plan.previousHash), Data(lastHash),
                    bytes, Data(digest), nowMilliseconds,
                ]
            )
            try db.execute(sql: "DELETE FROM events WHERE seq <= ?", arguments: [manifest.lastSequence])
        }
    }

    private func databaseBytes() -> Int64 {
        [databasePath, databasePath + "-wal"].reduce(0) { total, path in
            total + ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0)
        }
    }

    static func sha256(of path: String) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StoreError(code: .archive, message: "cannot read the archive \(path)")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return Array(hasher.finalize())
    }

    static func ensureDirectory(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw StoreError(code: .archive, message: "the archive directory \(path) is a file; pass a directory")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(
                atPath: path,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
        } catch {
            throw StoreError(code: .archive, message: "cannot create the archive directory \(path); check its parent")
        }
    }
}
