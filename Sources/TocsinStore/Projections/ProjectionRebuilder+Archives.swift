// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
import TocsinCore

extension ProjectionRebuilder {
    /// Folds into `scratch` the projection's events from the archive files, when the live log's
    /// first ranges were archived, and returns the last archived sequence number and the events
    /// folded (`(0, 0)` when nothing is archived).
    ///
    /// The files are verified first as one chain (``ArchiveChainVerifier``: every record's hash and
    /// link, every signed checkpoint) that the live log continues: the archives must end just before
    /// the live log's first record, at the hash it links to.
    ///
    /// - Throws: ``StoreError`` `refused` when the archives are missing, do not verify or do not
    ///   meet the live log; `archive` when a file cannot be read.
    func foldArchives(_ projection: any Projection, into scratch: DatabaseQueue) async throws -> (Int64, Int) {
        let start = try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT seq, prev_hash FROM events ORDER BY seq LIMIT 1")
                .map { (sequence: $0[0] as Int64, previousHash: Array($0[1] as Data)) }
        }
        guard let start, start.sequence > 1 else {
            return (0, 0)
        }
        let paths = try archivePaths(liveStart: start.sequence)
        let dataDirectory = (pool.path as NSString).deletingLastPathComponent
        let publicKey = try KeyFiles.loadPublicKey(from: dataDirectory + "/" + KeyFiles.nodePublicKeyName)
        var checkpoints: [Int64: ArchiveChainVerifier.SignedCheckpoint] = [:]
        let outcome = try ArchiveChainVerifier(publicKey: publicKey).verify(paths, databaseCheckpoints: &checkpoints)
        if let failure = outcome.failure {
            throw StoreError(
                code: .refused,
                message:
                    "the archive files in \(archiveDirectory) do not verify (\(failure.archive ?? "archive"), record \(failure.sequence): \(failure.message)), so no projection is folded from them; restore them from a copy and run `tocsin audit verify --archives DIR`"
            )
        }
        guard outcome.nextSequence == start.sequence, outcome.previousHash == start.previousHash else {
            throw StoreError(
                code: .refused,
                message:
                    "the archive files in \(archiveDirectory) end at record \(outcome.nextSequence - 1) but the live log starts at sequence \(start.sequence) and links elsewhere; put every archive file of this log in that directory"
            )
        }
        let types = Set(projection.eventTypes)
        var events = 0
        for path in paths {
            let file = try ArchiveFile(path: path)
            for index in file.manifest.blocks.indices {
                let records = try file.records(inBlock: index) ?? []
                let folded = try records.filter { types.contains($0.type) }.map { try $0.loggedEvent() }
                try await scratch.write { db in
                    for logged in folded {
                        try projection.apply(logged, to: db)
                    }
                }
                events += folded.count
            }
        }
        return (start.sequence - 1, events)
    }

    /// The archive files, refusing when there are none although the live log starts after `liveStart`.
    private func archivePaths(liveStart: Int64) throws -> [String] {
        let refusal = StoreError(
            code: .refused,
            message:
                "the live log starts at sequence \(liveStart): earlier records are in archive files, and a projection is folded from the whole history, but \(archiveDirectory) holds none; put the archive files there (docs/projections.md)"
        )
        guard FileManager.default.fileExists(atPath: archiveDirectory) else {
            throw refusal
        }
        let paths = try ArchiveChainVerifier.paths(in: archiveDirectory)
        guard !paths.isEmpty else {
            throw refusal
        }
        return paths
    }
}
