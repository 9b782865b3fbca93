// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import TocsinStore

/// `tocsin audit`: prove the log was not altered.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify the tamper-evident log.",
        subcommands: [Verify.self]
    )

    /// `tocsin audit verify`: offline chain and checkpoint verification.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-walk the hash chain and check every signed checkpoint, offline.",
            discussion: """
                Exits 0 when every record and checkpoint verifies. Otherwise exits 1 and names the first
                sequence number that fails and why: altered, deleted, reordered, bad-signature,
                checkpoint-mismatch or truncated. Safe to run while the server is running.
                For an independent check, pass the node's public key from a copy kept elsewhere.
                """
        )

        @Option(name: .customLong("data-dir"), help: "Data directory (env TOCSIN_DATA_DIR; default ./tocsin-data).")
        var dataDirectory: String?

        @Option(help: "The node's public key file (default <data-dir>/node.pub).")
        var publicKey: String?

        func run() async throws {
            let directory = dataDirectory ?? Environment.value("TOCSIN_DATA_DIR") ?? "./tocsin-data"
            let report: AuditVerifier.Report
            do {
                report = try AuditVerifier(dataDirectory: directory, publicKeyPath: publicKey).verify()
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
        }
    }
}
