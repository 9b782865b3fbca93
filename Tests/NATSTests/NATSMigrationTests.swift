// SPDX-License-Identifier: Apache-2.0

#if NATS
import Logging
import ServiceLifecycle
import Testing
import TocsinCore
import TocsinNATS
import TocsinStore
import TocsinTesting

/// Writes `count` events into a new SQLite log (a checkpoint every 50 records, each announced), then
/// stops the store.
private func sqliteLog(events count: Int, prefix: String) async throws -> TemporaryDirectory {
    let directory = try TemporaryDirectory()
    var configuration = StoreConfiguration(dataDirectory: directory.path)
    configuration.checkpointEveryRecords = 50
    let store = try EventStore.open(configuration, logger: Logger(label: "store"), clock: SystemWallClock())
    let group = ServiceGroup(services: store.services, gracefulShutdownSignals: [], logger: Logger(label: "store"))
    async let running: Void = group.run()
    for batch in stride(from: 0, to: count, by: 25) {
        let events = (batch..<min(batch + 25, count)).map {
            LogEntry(
                event: CloudEvent(
                    id: "\(prefix)-\($0)",
                    source: "test/migrate",
                    type: $0 % 2 == 0 ? "auth.login.failed" : "net.flow",
                    subject: "s\($0)",
                    data: .json(Array(#"{"n":\#($0),"x":1.50}"#.utf8))
                ),
                enrichment: $0 % 3 == 0 ? .object(JSONObject([.init(name: "geo", value: .string("NL"))])) : nil
            )
        }
        _ = try await store.append(entries: events)
    }
    await group.triggerGracefulShutdown()
    try await running
    store.close()
    return directory
}

/// Migrates the log of `directory` into the cluster.
private func migrate(_ directory: TemporaryDirectory, connection: NATSConnection) async throws -> MigrationReport {
    var log = try LogExport(dataDirectory: directory.path, archiveDirectory: nil)
    return try await JetStreamMigration.run(
        connection: connection,
        configuration: ChainServiceConfiguration(),
        sourceLastSequence: try log.lastSequence(),
        signingKey: try KeyFiles.loadOrCreateNodeKey(in: directory.path),
        logger: Logger(label: "migrate")
    ) { after, limit in
        try log.records(after: after, limit: limit)
    }
}

@Suite("tocsin migrate --to nats on a real 3-node cluster", .serialized, .timeLimit(.minutes(2)))
struct NATSMigrationTests {
    @Test(
        "A SQLite log moves into the stream once, at its own sequences, with equal chain hashes; a rerun copies nothing"
    )
    func migrationKeepsTheChain() async throws {
        let directory = try await sqliteLog(events: 300, prefix: "m")
        let other = try await sqliteLog(events: 10, prefix: "o")
        defer {
            directory.remove()
            other.remove()
        }
        try await NATSTestCluster.with { cluster in
            let connection = try await cluster.connect()
            var log = try LogExport(dataDirectory: directory.path, archiveDirectory: nil)
            let last = try log.lastSequence()
            #expect(last > 300)  // the events and the checkpoint announcements
            let first = try await migrate(directory, connection: connection)
            #expect(first.copied == last && first.alreadyInStream == 0 && first.lastSequence == last)
            #expect(first.hashesMatch)
            for record in try log.records(after: 0, limit: Int(last)) {
                let message = try await connection.message(stream: "TOCSIN_EVENTS", sequence: UInt64(record.sequence))
                #expect(message?.payload == record.canonical)
            }
            let streamAfterFirst = try await connection.streamInfo("TOCSIN_EVENTS")
            let again = try await migrate(directory, connection: connection)
            #expect(again.copied == 0 && again.alreadyInStream == last && again.hashesMatch)
            #expect(try await connection.streamInfo("TOCSIN_EVENTS").messages == streamAfterFirst.messages)
            await #expect(throws: NATSError.self) { try await migrate(other, connection: connection) }
            await connection.close()
        }
    }
}
#endif
