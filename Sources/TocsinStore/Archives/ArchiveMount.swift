// SPDX-License-Identifier: Apache-2.0

import Crypto
import Foundation
import Synchronization
import TocsinCore

/// The archive directory, mounted read-only: opens the files the `archives` table registers and
/// verifies each one before its first use.
///
/// Verifying a file recomputes every record's hash, checks that the chain runs from the
/// registered previous hash to the registered last hash, and checks every checkpoint signature.
/// A verified file is remembered by its size, modification time and inode, so a later read costs
/// one `stat`; a file that changed on disk is verified again.
final class ArchiveMount: Sendable {
    /// How a verified file looked on disk.
    private struct Stamp: Hashable {
        var size: Int64
        var modified: Date
        var inode: UInt64
    }

    let directory: String
    private let publicKey: Curve25519.Signing.PublicKey
    private let verified = Mutex<[String: (Stamp, ArchiveFile)]>([:])

    init(directory: String, publicKey: Curve25519.Signing.PublicKey) {
        self.directory = directory
        self.publicKey = publicKey
    }

    /// The file of `entry`, verified against the registry.
    ///
    /// - Throws: ``ArchiveUnavailable`` when the file is missing, unreadable or does not verify.
    func file(_ entry: ArchiveRegistryEntry) throws -> ArchiveFile {
        let path = directory + "/" + entry.name
        guard let stamp = Self.stamp(path) else {
            throw unavailable(
                entry,
                "the archive file \(entry.name) holding records \(entry.firstSequence)-\(entry.lastSequence) is missing from \(directory); restore it from a copy, or pass the directory that holds it with --archive-dir"
            )
        }
        if let cached = verified.withLock({ $0[entry.name] }), cached.0 == stamp {
            return cached.1
        }
        let file = try verify(entry, path: path)
        verified.withLock { $0[entry.name] = (stamp, file) }
        return file
    }

    /// The records of block `index` of `file`.
    ///
    /// - Throws: ``ArchiveUnavailable`` when the block no longer decompresses.
    func records(of file: ArchiveFile, block index: Int, entry: ArchiveRegistryEntry) throws -> [LogRecord] {
        let block = file.manifest.blocks[index]
        guard let records = try? file.records(inBlock: index) else {
            throw unavailable(
                entry,
                "the archive file \(entry.name) changed after it was verified: block \(index) (records \(block.firstSequence)-\(block.lastSequence)) does not decompress; run tocsin audit verify --archives and restore it from a copy"
            )
        }
        return records
    }

    private func verify(_ entry: ArchiveRegistryEntry, path: String) throws -> ArchiveFile {
        let start = ArchiveChainVerifier.Outcome(nextSequence: entry.firstSequence, previousHash: entry.previousHash)
        var none: [Int64: ArchiveChainVerifier.SignedCheckpoint] = [:]
        let outcome: ArchiveChainVerifier.Outcome
        let file: ArchiveFile
        do {
            outcome = try ArchiveChainVerifier(publicKey: publicKey).verify(
                [path],
                from: start,
                databaseCheckpoints: &none
            )
            file = try ArchiveFile(path: path)
        } catch {
            throw unavailable(entry, "the archive file \(entry.name) cannot be read (\(error)); check its permissions")
        }
        if let failure = outcome.failure {
            throw ArchiveUnavailable(
                archive: entry.name,
                sequence: failure.sequence,
                message:
                    "the archive file \(entry.name) does not verify at sequence \(failure.sequence) (\(failure.reason.rawValue): \(failure.message)); restore it from a copy"
            )
        }
        guard outcome.previousHash == entry.lastHash, file.manifest.lastSequence == entry.lastSequence else {
            throw unavailable(
                entry,
                "the archive file \(entry.name) does not end where the database registered it (sequence \(entry.lastSequence) and its hash); restore it from a copy"
            )
        }
        return file
    }

    private func unavailable(_ entry: ArchiveRegistryEntry, _ message: String) -> ArchiveUnavailable {
        ArchiveUnavailable(archive: entry.name, sequence: entry.firstSequence, message: message)
    }

    /// Runs blocking file work (verifying, decompressing) on a dispatch queue, off the cooperative
    /// thread pool that serves requests.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try work() })
            }
        }
    }

    private static func stamp(_ path: String) -> Stamp? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            attributes[.type] as? FileAttributeType == .typeRegular
        else {
            return nil
        }
        return Stamp(
            size: (attributes[.size] as? NSNumber)?.int64Value ?? -1,
            modified: attributes[.modificationDate] as? Date ?? .distantPast,
            inode: (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
        )
    }
}
