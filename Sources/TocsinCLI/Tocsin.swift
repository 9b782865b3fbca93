// SPDX-License-Identifier: Apache-2.0

import ArgumentParser

/// The `tocsin` command: the server and its clients in one binary.
@main
struct Tocsin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tocsin",
        abstract: "An event-driven security engine: ingest, record, verify and follow security events.",
        discussion: """
            Start the server with 'tocsin serve'. \
            Client commands (publish, events, tail and the others) talk to it over HTTP. \
            They find it with --server or TOCSIN_SERVER (default http://127.0.0.1:8080) \
            and authenticate with --key or TOCSIN_KEY, \
            defaulting to the admin key in the local data directory (./tocsin-data/admin.key).
            """,
        version: "0.1.0",
        subcommands: [
            ServeCommand.self, PublishCommand.self, EventsCommand.self, TailCommand.self, AuditCommand.self,
            PatternCommand.self, DLQCommand.self, ConfigCommand.self, IngestCommand.self, KeysCommand.self,
            AlertsCommand.self, IncidentsCommand.self, SigmaCommand.self, RulesCommand.self, BackupCommand.self,
            EraseCommand.self,
            RebuildCommand.self,
            ReplayCommand.self,
            ArchiveCommand.self,
            SchemasCommand.self,
            ComplianceCommand.self,
            MigrateCommand.self,
        ]
    )
}
