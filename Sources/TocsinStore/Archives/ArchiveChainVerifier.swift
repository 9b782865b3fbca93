// SPDX-License-Identifier: Apache-2.0

import Crypto
import Foundation
import TocsinCore

/// Verifies archive files as one chain, in order, by the same rules as the live log.
///
/// Every record's content must match its hash and follow the previous record (across files too),
/// every checkpoint the manifests carry (and any the database still holds for the range) must
/// verify with the node's public key, and each file must end at a signed checkpoint.
struct ArchiveChainVerifier {
    typealias Failure = AuditVerifier.Failure
    typealias SignedCheckpoint = (hash: [UInt8], signature: [UInt8])

    /// Where the chain stands after the archives.
    struct Outcome {
        /// The next sequence number expected (1 when there are no archives).
        var nextSequence: Int64 = 1
        /// The chain hash of the last archived record (the genesis when there are none).
        var previousHash = HashChain.genesis
        var records: Int64 = 0
        var checkpoints = 0
        var archives = 0
        var lastCheckpointSequence: Int64 = 0
        var failure: Failure?
    }

    let publicKey: Curve25519.Signing.PublicKey

    /// The archive files in `directory`, in name order (names sort in chain order).
    static func paths(in directory: String) throws -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw StoreError(code: .archive, message: "cannot list the archive directory \(directory); check the path")
        }
        return names.filter { $0.hasSuffix(ArchiveManifest.fileExtension) }.sorted().map { directory + "/" + $0 }
    }

    /// Verifies the files at `paths` in order, starting the chain at `outcome`; checkpoints of
    /// `databaseCheckpoints` inside the archived ranges are verified and removed.
    func verify(
        _ paths: [String],
        from start: Outcome = Outcome(),
        databaseCheckpoints: inout [Int64: SignedCheckpoint]
    ) throws -> Outcome {
        var outcome = start
        for path in paths {
            let name = (path as NSString).lastPathComponent
            let file: ArchiveFile
            do {
                file = try ArchiveFile(path: path)
            } catch let error as StoreError {
                outcome.failure = Failure(
                    sequence: outcome.nextSequence,
                    reason: .archiveUnreadable,
                    message: error.message,
                    archive: name
                )
                return outcome
            }
            if let failure = try verify(file, outcome: &outcome, databaseCheckpoints: &databaseCheckpoints) {
                outcome.failure = failure
                return outcome
            }
            outcome.archives += 1
        }
        return outcome
    }

    private func verify(
        _ file: ArchiveFile,
        outcome: inout Outcome,
        databaseCheckpoints: inout [Int64: SignedCheckpoint]
    ) throws -> Failure? {
        let manifest = file.manifest
        func failure(_ sequence: Int64, _ reason: AuditVerifier.Reason, _ message: String) -> Failure {
            Failure(sequence: sequence, reason: reason, message: message, archive: file.name)
        }
        guard file.name == manifest.fileName else {
            return failure(
                manifest.firstSequence,
                .reordered,
                "the file holds records \(manifest.firstSequence)-\(manifest.lastSequence) but is named \(file.name): archive files were renamed or swapped"
            )
        }
        guard manifest.firstSequence == outcome.nextSequence else {
            let reason: AuditVerifier.Reason = manifest.firstSequence > outcome.nextSequence ? .deleted : .reordered
            return failure(
                outcome.nextSequence,
                reason,
                "the file starts at record \(manifest.firstSequence) but the chain continues at \(outcome.nextSequence): an archive before it is missing or overlaps it"
            )
        }
        var signed: [Int64: SignedCheckpoint] = [:]
        for checkpoint in manifest.checkpoints {
            guard let hash = Hex.decode(checkpoint.hash), let signature = Hex.decode(checkpoint.signature) else {
                return failure(checkpoint.sequence, .badSignature, "the manifest's checkpoint is not hex")
            }
            signed[checkpoint.sequence] = (hash, signature)
        }
        guard manifest.checkpoints.last?.sequence == manifest.lastSequence else {
            return failure(
                manifest.lastSequence,
                .truncated,
                "the file carries no signed checkpoint over its last record \(manifest.lastSequence)"
            )
        }
        for (index, block) in manifest.blocks.enumerated() {
            guard let records = try file.records(inBlock: index) else {
                return failure(
                    max(block.firstSequence, outcome.nextSequence),
                    .archiveUnreadable,
                    "block \(index) (records \(block.firstSequence)-\(block.lastSequence)) does not decompress or fails its checksum: the file was altered"
                )
            }
            for record in records {
                if let problem = check(record, outcome: outcome) {
                    return failure(problem.sequence, problem.reason, problem.message)
                }
                // The manifest's copy and the database's (kept after the cut) must both verify.
                let copies = [
                    signed.removeValue(forKey: record.sequence),
                    databaseCheckpoints.removeValue(forKey: record.sequence),
                ].compactMap { $0 }
                for checkpoint in copies {
                    if let problem = ChainCheck.checkpoint(
                        hash: checkpoint.hash,
                        signature: checkpoint.signature,
                        at: record,
                        publicKey: publicKey
                    ) {
                        return failure(problem.sequence, problem.reason, problem.message)
                    }
                }
                if !copies.isEmpty {
                    outcome.checkpoints += 1
                    outcome.lastCheckpointSequence = record.sequence
                }
                outcome.previousHash = record.hash
                outcome.nextSequence += 1
                outcome.records += 1
            }
        }
        let last = outcome.nextSequence - 1
        guard last == manifest.lastSequence, signed.isEmpty else {
            return failure(
                last + 1,
                .deleted,
                "the file's records end at \(last) but its manifest says \(manifest.lastSequence): records were removed"
            )
        }
        guard Hex.encode(outcome.previousHash) == manifest.lastHash else {
            return failure(last, .altered, "the manifest names a different last chain hash than the records have")
        }
        return nil
    }

    /// Checks one archived record's position, content and link.
    private func check(_ record: LogRecord, outcome: Outcome) -> Failure? {
        let expected = outcome.nextSequence
        if record.sequence != expected {
            return Failure(
                sequence: expected,
                reason: record.sequence > expected ? .deleted : .reordered,
                message: "record \(expected) is missing; the next record present is \(record.sequence)"
            )
        }
        if let failure = ChainCheck.content(of: record) {
            return failure
        }
        guard record.previousHash == outcome.previousHash else {
            return Failure(
                sequence: record.sequence,
                reason: .deleted,
                message: "the record does not follow record \(record.sequence - 1) of the chain"
            )
        }
        return nil
    }
}
