// SPDX-License-Identifier: Apache-2.0

import Crypto
import Foundation
import GRDB
import TocsinCore

extension AuditVerifier {
    /// Where the live chain starts, after the archived prefix.
    ///
    /// With an archive directory, its files are verified first as the start of the chain (and
    /// every file the log registered must be among them). Without one, the live log is checked
    /// from its last registered cut: the signed checkpoint there must verify and name the cut's
    /// hash; the archived records themselves are counted as not verified.
    func archivedPrefix(
        _ db: Database,
        checkpoints: inout [Int64: (hash: [UInt8], signature: [UInt8])],
        report: inout Report
    ) throws -> ArchiveChainVerifier.Outcome {
        let registered = try ArchiveRegistryEntry.all(db)
        let verifier = ArchiveChainVerifier(publicKey: publicKey)
        if let archiveDirectory {
            let paths = try ArchiveChainVerifier.paths(in: archiveDirectory)
            let outcome = try verifier.verify(paths, databaseCheckpoints: &checkpoints)
            report.verifiedRecords += outcome.records
            report.verifiedCheckpoints += outcome.checkpoints
            report.verifiedArchives = outcome.archives
            report.lastCheckpointSequence = outcome.lastCheckpointSequence
            if let failure = outcome.failure {
                report.failure = failure
                return outcome
            }
            let present = Set(paths.map { ($0 as NSString).lastPathComponent })
            if let missing = registered.first(where: { !present.contains($0.name) }) {
                report.failure = Failure(
                    sequence: missing.firstSequence,
                    reason: .archiveMissing,
                    message:
                        "the log archived records \(missing.firstSequence)-\(missing.lastSequence) into this file, which is not in \(archiveDirectory)",
                    archive: missing.name
                )
            }
            return outcome
        }
        guard let cut = registered.last else {
            return ArchiveChainVerifier.Outcome()
        }
        var start = ArchiveChainVerifier.Outcome(nextSequence: cut.lastSequence + 1, previousHash: cut.lastHash)
        report.archivedRecordsNotVerified = cut.lastSequence
        let message = HashChain.checkpointMessage(sequence: cut.lastSequence, hash: cut.lastHash)
        guard let checkpoint = checkpoints[cut.lastSequence], checkpoint.hash == cut.lastHash,
            publicKey.isValidSignature(checkpoint.signature, for: message)
        else {
            report.failure = Failure(
                sequence: cut.lastSequence,
                reason: .checkpointMismatch,
                message:
                    "the live log starts after archive \(cut.name), but no valid signed checkpoint names its last hash; verify with --archives DIR",
                archive: cut.name
            )
            return start
        }
        for sequence in checkpoints.keys where sequence <= cut.lastSequence {
            checkpoints.removeValue(forKey: sequence)
        }
        start.lastCheckpointSequence = cut.lastSequence
        report.lastCheckpointSequence = cut.lastSequence
        return start
    }
}
