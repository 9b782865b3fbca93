// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import TocsinStore

/// `tocsin audit`: prove the log was not altered.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify the tamper-evident log.",
        subcommands: [Verify.self] + AuditBundleCommands.all
    )

    /// `tocsin audit verify`: offline chain and checkpoint verification.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-walk the hash chain and check every signed checkpoint, offline.",
            discussion: """
                Exits 0 when every record and checkpoint verifies. Otherwise exits 1 and names the first
                sequence number that fails and why: altered, deleted, reordered, bad-signature,
                checkpoint-mismatch, truncated, witness-missing, witness-mismatch, archive-unreadable
                or archive-missing (a failure inside an archive also names the file). Exits 2 when
                the data directory, the key or the witness file cannot be read. Safe to run while
                the server is running. For an independent check, pass the node's public key from a
                copy kept elsewhere, and the checkpoint witness file the server appends to
                (serve --checkpoint-witness): records deleted together with their checkpoints are
                found only through it. With --backend nats it verifies a cluster's chain instead (the
                chain store against the event stream, and every checkpoint against the --signer-key files);
                failures are altered, missing, unlinked, unreadable, checkpoint-mismatch, bad-signature or
                untrusted-signer.
                """
        )

        @Option(name: .customLong("data-dir"), help: "Data directory (env TOCSIN_DATA_DIR; default ./tocsin-data).")
        var dataDirectory: String?

        @Option(help: "The node's public key file (default <data-dir>/node.pub).")
        var publicKey: String?

        @Option(help: "A checkpoint witness file (serve --checkpoint-witness) to compare the log with.")
        var witness: String?

        @Option(
            help: ArgumentHelp(
                "Also verify the archive files in this directory ('tocsin archive run'), as one chain with the live log.",
                valueName: "dir"
            )
        )
        var archives: String?

        @Option(help: "The log to verify: sqlite (the data directory) or nats (a cluster's stream and chain store).")
        var backend: AuditBackend = .sqlite

        @OptionGroup var nats: NATSAuditOptions

        func run() async throws {
            if backend == .nats {
                try await nats.verify(publicKey: publicKey, witness: witness)
                return
            }
            let directory = dataDirectory ?? Environment.value("TOCSIN_DATA_DIR") ?? "./tocsin-data"
            let report: AuditVerifier.Report
            do {
                let verifier = try AuditVerifier(
                    dataDirectory: directory,
                    publicKeyPath: publicKey,
                    witnessPath: witness,
                    archiveDirectory: archives
                )
                if publicKey == nil {
                    printError(
                        "warning: the public key is read from the data directory itself; against someone who can write that directory it proves nothing (they can re-sign the log with a key of their own). Pass --public-key with a copy kept elsewhere."
                    )
                }
                report = try verifier.verify()
            } catch {
                printError("error: \(error)")
                throw ExitCode(2)
            }
            if let failure = report.failure {
                print("FAILED at \(failure)")
                print(
                    "\(report.verifiedRecords) records and \(report.verifiedCheckpoints) checkpoints verified before it."
                )
                throw ExitCode(1)
            }
            print("OK: \(report.verifiedRecords) records, \(report.verifiedCheckpoints) signed checkpoints verified.")
            if report.verifiedCheckpoints == 0 && report.verifiedRecords > 0 {
                printError(
                    "warning: no signed checkpoint yet, so only the hash chain protects these records: someone who can write the database can rewrite it whole. The server signs one every --checkpoint-seconds (default 60); run this again after that."
                )
            }
            if archives != nil {
                print("Archives: \(report.verifiedArchives) archive files verified as the start of the chain.")
            } else if report.archivedRecordsNotVerified > 0 {
                printError(
                    "warning: records 1-\(report.archivedRecordsNotVerified) are archived and were not checked; pass --archives DIR to verify them with the live log."
                )
            }
            if let witnessed = report.witnessedCheckpoints {
                print("Witness: \(witnessed) witnessed checkpoints match the log.")
            }
            let after = report.recordsAfterLastCheckpoint
            let checkpoint =
                report.lastCheckpointSequence > 0 ? "sequence \(report.lastCheckpointSequence)" : "none signed yet"
            let protection =
                after == 0 ? "" : "; only the chain protects \(after == 1 ? "it" : "them") until the next one"
            print(
                "\(after) \(after == 1 ? "record lies" : "records lie") after the last signed checkpoint (\(checkpoint))\(protection)."
            )
        }
    }
}
