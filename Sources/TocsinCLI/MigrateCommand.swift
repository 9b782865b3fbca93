// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import TocsinStore

#if NATS
import Logging
import TocsinCore
import TocsinNATS
#endif

/// The backend `tocsin migrate` copies the log to.
enum MigrationTarget: String, ExpressibleByArgument, CaseIterable {
    /// A NATS JetStream cluster.
    case nats
}

/// `tocsin migrate --to nats`: copy a single-node log into a cluster's event stream and chain it there.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy the SQLite log into a NATS JetStream stream, with the chain verified across the move.",
        discussion: """
            Publishes every record of the data directory's log (archived ranges included, with --archives)
            into the cluster's event stream TOCSIN_EVENTS, each at its own sequence number with its exact
            record bytes, then chains the stream (the chain store TOCSIN_CHAIN, checkpoints signed with
            this data directory's node key) and compares the cluster chain's hash at the last migrated
            record with the SQLite chain's hash there: they must be equal. Stop the server first, so the
            log does not grow during the copy. The stream must be empty, or hold an earlier run's copy:
            a second run after an interruption continues where the stream ends. Exits 0 when the hashes
            match, 1 when they do not, 2 when the log or the cluster cannot be used.
            """
    )

    @Option(help: "The backend to migrate to.")
    var to: MigrationTarget

    @Option(name: .customLong("data-dir"), help: "Data directory (env TOCSIN_DATA_DIR; default ./tocsin-data).")
    var dataDirectory: String?

    @Option(help: ArgumentHelp("The archive directory, when ranges of the log were archived.", valueName: "dir"))
    var archives: String?

    @Option(
        name: .customLong("nats-url"),
        help: ArgumentHelp("The cluster's client URLs, comma-separated (env TOCSIN_NATS_URL).", valueName: "urls")
    )
    var natsURL: String?

    @Option(help: "Copies each stream keeps (1, 3 or 5).")
    var replicas: Int = 3

    @OptionGroup var authentication: NATSAuthOptions

    func run() async throws {
        #if NATS
        let directory = dataDirectory ?? Environment.value("TOCSIN_DATA_DIR") ?? "./tocsin-data"
        let urls = try NATSAuditOptions.servers(natsURL)
        let report: MigrationReport
        do {
            var log = try LogExport(dataDirectory: directory, archiveDirectory: archives)
            let key = try KeyFiles.loadOrCreateNodeKey(in: directory)
            let connection = try await NATSConnection.connect(
                NATSConnectionConfiguration(servers: urls, authentication: try authentication.nats(servers: urls))
            )
            do {
                report = try await JetStreamMigration.run(
                    connection: connection,
                    configuration: ChainServiceConfiguration(
                        events: JetStreamLogConfiguration(replicas: replicas),
                        replicas: replicas
                    ),
                    sourceLastSequence: try log.lastSequence(),
                    signingKey: key,
                    logger: Logger(label: "tocsin.migrate")
                ) { after, limit in
                    try log.records(after: after, limit: limit)
                }
                await connection.close()
            } catch {
                await connection.close()
                throw error
            }
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        print(
            "Copied \(report.copied) records (\(report.alreadyInStream) were already in the stream); last sequence \(report.lastSequence)."
        )
        print("SQLite chain hash at \(report.lastSequence): \(Hex.encode(report.sourceHash))")
        print("Stream chain hash at \(report.lastSequence): \(Hex.encode(report.streamHash))")
        guard report.hashesMatch else {
            print("MISMATCH: the stream's chain does not reproduce the SQLite chain; do not switch to the cluster.")
            throw ExitCode(1)
        }
        print("OK: the chains are equal.")
        #else
        printError("error: this tocsin was built without NATS support; build it with '--traits NATS'")
        throw ExitCode(2)
        #endif
    }
}
