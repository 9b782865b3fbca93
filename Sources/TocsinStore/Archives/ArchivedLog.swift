// SPDX-License-Identifier: Apache-2.0

import Crypto
import Foundation
import GRDB
public import TocsinCore

/// A problem with an archive file a reader needs: it is missing, or it does not verify.
public struct ArchiveProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// The archive file's name (without its directory).
    public var file: String
    /// What is wrong and how to fix it.
    public var message: String

    /// Creates a problem.
    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    /// `file: message`.
    public var description: String {
        "\(file): \(message)"
    }
}

/// The archived prefix of the log, read back for replays (docs/replay.md): the files the log
/// registered when it archived them, each verified before its first record is read.
///
/// A file is used only when it is present, has the SHA-256 the log recorded when it wrote it, and
/// passes the same chain verification as `tocsin audit verify --archives`: every record's hash
/// recomputes, each follows the one before it from the registered previous hash, every checkpoint
/// signature verifies with the node's key, and the last hash is the registered one. A file is
/// verified once per reader.
public struct ArchivedLog: Sendable {
    struct Entry: Sendable {
        var name: String
        var firstSequence: Int64
        var lastSequence: Int64
        var previousHash: [UInt8]
        var lastHash: [UInt8]
        var sha256: [UInt8]
    }

    /// The archive directory.
    public let directory: String
    let entries: [Entry]
    let publicKey: Curve25519.Signing.PublicKey
    private var verified: [String: ArchiveFile] = [:]

    init(directory: String, entries: [Entry], publicKey: Curve25519.Signing.PublicKey) {
        self.directory = directory
        self.entries = entries
        self.publicKey = publicKey
    }

    /// The first sequence number still in the live log (1 when nothing was archived).
    public var liveFirst: Int64 {
        entries.last.map { $0.lastSequence + 1 } ?? 1
    }

    /// Whether any record was archived.
    public var isEmpty: Bool {
        entries.isEmpty
    }

    /// Verifies every file that holds a record of `range`.
    ///
    /// - Throws: ``ArchiveProblem`` naming the first file that is missing or does not verify.
    public mutating func verify(_ range: ClosedRange<Int64>) throws(ArchiveProblem) {
        for entry in entries where entry.lastSequence >= range.lowerBound && entry.firstSequence <= range.upperBound {
            _ = try file(entry)
        }
    }

    /// Up to `limit` archived events after `after` and at most `through`, in sequence order;
    /// empty past the archives (the live log continues at ``liveFirst``).
    ///
    /// - Throws: ``ArchiveProblem`` when a file is missing, does not verify or cannot be read.
    public mutating func events(after: Int64, through: Int64, limit: Int) throws(ArchiveProblem) -> [LoggedEvent] {
        guard let entry = entries.first(where: { $0.lastSequence > after }), entry.firstSequence <= through else {
            return []
        }
        let file = try file(entry)
        do {
            return try file.events(after: max(after, entry.firstSequence - 1), limit: limit).filter {
                $0.sequence <= min(through, entry.lastSequence)
            }
        } catch {
            throw ArchiveProblem(file: entry.name, message: "\(error)")
        }
    }

    /// The first archived sequence number ingested at or after `time`, or `nil` when every
    /// archived record is older.
    ///
    /// - Throws: ``ArchiveProblem`` when a file it reads is missing or does not verify.
    public mutating func firstSequence(ingestedAtOrAfter time: Int64) throws(ArchiveProblem) -> Int64? {
        var after: Int64 = 0
        while after < liveFirst - 1 {
            let page = try events(after: after, through: liveFirst - 1, limit: 1024)
            if let found = page.first(where: { $0.ingestMilliseconds >= time }) {
                return found.sequence
            }
            guard let last = page.last?.sequence else {
                return nil
            }
            after = last
        }
        return nil
    }

    mutating func file(_ entry: Entry) throws(ArchiveProblem) -> ArchiveFile {
        if let file = verified[entry.name] {
            return file
        }
        let file = try Self.verifiedFile(entry, directory: directory, publicKey: publicKey)
        verified[entry.name] = file
        return file
    }

    private static func verifiedFile(
        _ entry: Entry,
        directory: String,
        publicKey: Curve25519.Signing.PublicKey
    ) throws(ArchiveProblem) -> ArchiveFile {
        let path = directory + "/" + entry.name
        func problem(_ message: String) -> ArchiveProblem {
            ArchiveProblem(file: entry.name, message: message)
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw problem(
                "the log archived records \(entry.firstSequence)-\(entry.lastSequence) into this file, which is not in \(directory); restore it from a copy"
            )
        }
        do {
            guard try Archiver.sha256(of: path) == entry.sha256 else {
                throw problem(
                    "the file is not the one the log archived (its SHA-256 differs): it was altered or replaced; restore it from a copy and check it with tocsin audit verify --archives"
                )
            }
            var none: [Int64: ArchiveChainVerifier.SignedCheckpoint] = [:]
            let outcome = try ArchiveChainVerifier(publicKey: publicKey).verify(
                [path],
                from: ArchiveChainVerifier.Outcome(nextSequence: entry.firstSequence, previousHash: entry.previousHash),
                databaseCheckpoints: &none
            )
            if let failure = outcome.failure {
                throw problem("it does not verify: \(failure.message) (record \(failure.sequence))")
            }
            guard outcome.previousHash == entry.lastHash else {
                throw problem("its last chain hash is not the one the log recorded when it archived it")
            }
            return try ArchiveFile(path: path)
        } catch let error as ArchiveProblem {
            throw error
        } catch let error as StoreError {
            throw problem(error.message)
        } catch {
            throw problem("it cannot be read: \(error)")
        }
    }
}

extension EventStore {
    /// The archived prefix of this log, with its files in `directory`, verified with the key of
    /// the node whose data directory is `dataDirectory`.
    ///
    /// - Throws: ``StoreError`` when the node key cannot be read; database errors.
    public func archivedLog(directory: String, dataDirectory: String) async throws -> ArchivedLog {
        let publicKey = try KeyFiles.loadOrCreateNodeKey(in: dataDirectory).publicKey
        let entries = try await pool.read { db in try ArchivedLog.entries(db) }
        return ArchivedLog(directory: directory, entries: entries, publicKey: publicKey)
    }
}

extension ArchivedLog {
    /// The archive files the log registered, oldest first (none when nothing was archived).
    static func entries(_ db: Database) throws -> [Entry] {
        guard try db.tableExists("archives") else {
            return []
        }
        return try Row.fetchAll(
            db,
            sql: "SELECT name, first_seq, last_seq, previous_hash, last_hash, sha256 FROM archives ORDER BY last_seq"
        )
        .map {
            Entry(
                name: $0[0],
                firstSequence: $0[1],
                lastSequence: $0[2],
                previousHash: Array($0[3] as Data),
                lastHash: Array($0[4] as Data),
                sha256: Array($0[5] as Data)
            )
        }
    }
}
