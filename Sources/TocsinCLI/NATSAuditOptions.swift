// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import TocsinRuntime
import TocsinStore

#if NATS
import Crypto
import TocsinNATS
#endif

/// The log `tocsin audit verify` checks.
enum AuditBackend: String, ExpressibleByArgument, CaseIterable {
    /// The embedded SQLite log of a data directory.
    case sqlite
    /// A cluster's JetStream event stream and chain store.
    case nats
}

/// `tocsin audit verify --backend nats`: the cluster's chain, verified from any machine that reaches it.
struct NATSAuditOptions: ParsableArguments {
    @Option(
        name: .customLong("nats-url"),
        help: ArgumentHelp(
            "With --backend nats: the cluster's client URLs, comma-separated (env TOCSIN_NATS_URL).",
            valueName: "urls"
        )
    )
    var natsURL: String?

    @Option(
        name: .customLong("signer-key"),
        help: ArgumentHelp(
            "With --backend nats: a node public key file (node.pub) allowed to sign checkpoints; repeat for each node.",
            valueName: "file"
        )
    )
    var signerKeys: [String] = []

    @OptionGroup var authentication: NATSAuthOptions

    /// The seed URLs of `option` (or `TOCSIN_NATS_URL`), comma-separated.
    ///
    /// - Throws: `ExitCode(2)` after saying what to pass, when there are none.
    static func servers(_ option: String?) throws -> [String] {
        switch NATSServerAddress.parseList(option ?? Environment.value("TOCSIN_NATS_URL") ?? "") {
        case .success(let addresses):
            return addresses.map(\.url)
        case .failure(.empty):
            printError("error: pass --nats-url (or TOCSIN_NATS_URL) with the cluster's client URLs")
            throw ExitCode(2)
        case .failure(.badEntry(let index)):
            printError(
                "error: --nats-url entry \(index) is not nats://host:port (or tls://host:port) without user, path or query"
            )
            throw ExitCode(2)
        }
    }

    /// Verifies the cluster's chain (and, with `witness`, that every checkpoint a node witnessed is
    /// in it with the same hash), prints the report like the single-node verify and exits 1 on a
    /// failure, 2 when the cluster, a key file or the witness file cannot be read.
    func verify(publicKey: String?, witness: String?) async throws {
        #if NATS
        let urls = try Self.servers(natsURL)
        let keys: [Curve25519.Signing.PublicKey]
        let connection: NATSConnection
        do {
            keys = try (signerKeys + (publicKey.map { [$0] } ?? [])).map { try KeyFiles.loadPublicKey(from: $0) }
            connection = try await NATSConnection.connect(
                NATSConnectionConfiguration(servers: urls, authentication: try authentication.nats(servers: urls))
            )
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        if keys.isEmpty {
            printError(
                "warning: no --signer-key given, so each checkpoint is checked only against the key its record names; anyone who can publish to the chain store could sign with a key of their own. Pass every node's node.pub."
            )
        }
        let report: ChainVerificationReport
        do {
            report = try await ChainStoreVerifier.verify(
                connection: connection,
                configuration: ChainServiceConfiguration(),
                trustedKeys: keys
            )
            await connection.close()
        } catch {
            await connection.close()
            printError("error: \(error)")
            throw ExitCode(2)
        }
        if let failure = report.failure {
            print("FAILED at \(failure)")
            print("\(report.verifiedRecords) records and \(report.verifiedCheckpoints) checkpoints verified before it.")
            throw ExitCode(1)
        }
        print(
            "OK: \(report.verifiedRecords) records in \(report.chainRecords) chain records, \(report.verifiedCheckpoints) signed checkpoints verified."
        )
        let after = report.lastChainedSequence - report.lastCheckpointSequence
        print(
            "\(after) chained records lie after the last signed checkpoint; \(report.unchainedRecords) stream records are not chained yet."
        )
        if let witness {
            try Self.compare(report, witness: witness)
        }
        #else
        printError("error: this tocsin was built without NATS support; build it with '--traits NATS'")
        throw ExitCode(2)
        #endif
    }

    #if NATS
    /// Checks every line of the witness file against the verified chain: a witnessed checkpoint past
    /// the chain's end means the chain store was rolled back; one with another hash, that it was rewritten.
    static func compare(_ report: ChainVerificationReport, witness: String) throws {
        let lines: [CheckpointWitness.Line]
        do {
            lines = try CheckpointWitness.lines(in: witness)
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        for line in lines {
            let entry = line.entry
            guard entry.sequence <= report.lastChainedSequence else {
                print(
                    "FAILED at sequence \(entry.sequence): witness-missing (line \(line.number) of \(witness) witnessed a checkpoint there, and the chain ends at \(report.lastChainedSequence): the chain store was rolled back)"
                )
                throw ExitCode(1)
            }
            guard report.checkpointHashes[entry.sequence] == entry.hash else {
                print(
                    "FAILED at sequence \(entry.sequence): witness-mismatch (line \(line.number) of \(witness) witnessed another checkpoint there: the chain was rewritten)"
                )
                throw ExitCode(1)
            }
        }
        print("Witness: \(lines.count) witnessed checkpoints match the chain.")
    }
    #endif
}
