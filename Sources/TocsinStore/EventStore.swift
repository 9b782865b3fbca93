// SPDX-License-Identifier: Apache-2.0

import Crypto
import Foundation
import GRDB
public import Logging
public import ServiceLifecycle
public import TocsinCore
public import TocsinMetrics

/// The embedded event log on SQLite (WAL, through GRDB): one writer, many readers.
///
/// ``open(_:logger:)`` prepares the data directory; the log accepts appends once the services in
/// ``services`` run (the writer and the checkpoint timer).
public final class EventStore: EventLog, Sendable {
    let pool: DatabasePool
    private let queue: AppendQueue
    let notifier: CommitNotifier
    private let clock: any WallClock
    /// The long-running parts: the group-commit writer and the checkpoint timer.
    public let services: [any Service]
    /// The identities and the hashes of their keys.
    public let identities: IdentityStore
    /// Rules, targets, the router's cursor and deliveries.
    public let routing: RoutingStore
    /// The alert and incident read models, folded from the log.
    public let incidents: IncidentStore
    /// Derives Tocsin's own event ids with this node's secret.
    public let identifiers: EventIdentifiers
    /// The checkpoint witness, when one is configured.
    public let witness: CheckpointWitness?

    private init(
        pool: DatabasePool,
        queue: AppendQueue,
        notifier: CommitNotifier,
        services: [any Service],
        identifiers: EventIdentifiers,
        witness: CheckpointWitness?,
        routing: RoutingStore,
        clock: any WallClock
    ) {
        self.pool = pool
        self.clock = clock
        self.queue = queue
        self.notifier = notifier
        self.services = services
        self.identities = IdentityStore(pool: pool)
        self.routing = routing
        self.incidents = IncidentStore(pool: pool)
        self.identifiers = identifiers
        self.witness = witness
    }

    /// Opens (creating on first start) the store in `configuration.dataDirectory`.
    ///
    /// Creates the directory (0700), the database (0600, with its migrations) and the node's
    /// signing key, opens the checkpoint witness, and verifies the log from its last signed
    /// checkpoint (and the witness's last line) to the head.
    ///
    /// - Parameters:
    ///   - configuration: Where the data lives and how durably it is written.
    ///   - logger: Where the store logs.
    ///   - clock: The wall clock that dates records, checkpoints, definitions and deliveries.
    ///   - metrics: Where the log writer reports its commits and head.
    /// - Returns: The store, ready for its ``services`` to run.
    /// - Throws: ``StoreError`` when `node.key` is readable or writable by group or others, the
    ///   witness cannot be used, or the log does not verify (code
    ///   ``StoreError/Code/verificationFailed``, naming the sequence number); database errors.
    public static func open(
        _ configuration: StoreConfiguration,
        logger: Logger,
        clock: any WallClock,
        metrics: LogMetrics = TocsinMetrics.disabled().log
    ) throws -> EventStore {
        try KeyFiles.ensureDirectory(configuration.dataDirectory)
        let signingKey = try KeyFiles.loadOrCreateNodeKey(in: configuration.dataDirectory)
        try DatabaseFiles.prepare(configuration.databasePath, logger: logger)
        let pool = try openPool(configuration.databasePath, synchronous: configuration.synchronous)
        try Schema.migrator.migrate(pool)
        let routing = RoutingStore(
            pool: pool,
            sealer: try DefinitionSealer.loadOrCreate(in: configuration.dataDirectory),
            clock: clock
        )
        try routing.sealClearTargets()
        let witness = try configuration.checkpointWitnessPath.map {
            try CheckpointWitness.open(path: $0, dataDirectory: configuration.dataDirectory, logger: logger)
        }
        let witnessed = try witness.flatMap { try CheckpointWitness.lastEntry(in: $0.path) }
        let head = try pool.read { db in
            try StartupVerifier.verifiedHead(db, publicKey: signingKey.publicKey, witnessed: witnessed)
        }
        let identifiers = EventIdentifiers(nodeKey: signingKey)
        let queue = AppendQueue(maxPendingEvents: configuration.maxPendingEvents)
        let notifier = CommitNotifier(latest: head.sequence)
        let writer = LogWriter(
            pool: pool,
            queue: queue,
            notifier: notifier,
            signingKey: signingKey,
            configuration: configuration,
            initialHead: head,
            witness: witness,
            identifiers: identifiers,
            clock: clock,
            logger: logger,
            metrics: metrics
        )
        let timer = CheckpointTimer(queue: queue, interval: configuration.checkpointInterval)
        return EventStore(
            pool: pool,
            queue: queue,
            notifier: notifier,
            services: [writer, timer],
            identifiers: identifiers,
            witness: witness,
            routing: routing,
            clock: clock
        )
    }

    /// How much of the database file a reader maps into memory (SQLite's `mmap_size`).
    static let readerMapSize = 1 << 30

    /// Opens the WAL database with the configured durability and a pool of four readers.
    private static func openPool(_ path: String, synchronous: StoreConfiguration.Synchronous) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.maximumReaderCount = 4
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous.rawValue)")
            if db.configuration.readonly {
                // Readers map the file instead of copying each page out of it with a system call.
                try db.execute(sql: "PRAGMA mmap_size = \(readerMapSize)")
            }
        }
        return try DatabasePool(path: path, configuration: configuration)
    }

    /// Appends entries; returns after the group commit that holds them.
    public func append(entries events: [LogEntry]) async throws -> [AppendReceipt] {
        if events.isEmpty {
            return []
        }
        // Serialising and hashing each record happens here, on the producer's task, in parallel;
        // the single writer only links digests into the chain.
        let now = clock.milliseconds
        return try await queue.submit(events.map { LogRecord(entry: $0, ingestMilliseconds: now) })
    }

    /// The event with sequence number `sequence`, or `nil`.
    public func event(at sequence: Int64) async throws -> LoggedEvent? {
        let record = try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(LogRecord.columns) FROM events WHERE seq = ?", arguments: [sequence])
                .map(LogRecord.init(row:))
        }
        return try record?.loggedEvent()
    }

    /// One page of events matching `query`, in sequence order.
    public func query(_ query: EventQuery) async throws -> EventPage {
        try await pool.read { db in try Self.page(db, query) }
    }

    /// One page of the live log's events matching `query`, read in `db`'s transaction.
    static func page(_ db: Database, _ query: EventQuery) throws -> EventPage {
        var clauses = ["seq > ?"]
        var arguments: StatementArguments = [query.after]
        for (column, value) in [("source", query.source), ("type", query.type), ("subject", query.subject)] {
            if let value {
                clauses.append("\(column) = ?")
                _ = arguments.append(contentsOf: [value])
            }
        }
        if let from = query.timeFrom {
            clauses.append("time_ms >= ?")
            _ = arguments.append(contentsOf: [from])
        }
        if let to = query.timeTo {
            clauses.append("time_ms < ?")
            _ = arguments.append(contentsOf: [to])
        }
        if let prefix = query.excludingTypePrefix {
            clauses.append("substr(type, 1, ?) <> ?")
            _ = arguments.append(contentsOf: [prefix.utf8.count, prefix])
        }
        let limit = max(1, query.limit)
        _ = arguments.append(contentsOf: [limit + 1])
        let sql =
            "SELECT \(LogRecord.columns) FROM events WHERE \(clauses.joined(separator: " AND ")) ORDER BY seq LIMIT ?"
        // A cursor: each row is decoded from SQLite's buffers, without a copied row in between.
        let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        var events: [LoggedEvent] = []
        events.reserveCapacity(min(limit, 1_024))
        while let row = try rows.next() {
            guard events.count < limit else {
                return EventPage(events: events, nextCursor: events.last?.sequence)
            }
            events.append(try LogRecord.loggedEvent(row: row, enrichment: !query.omitsEnrichment))
        }
        return EventPage(events: events, nextCursor: nil)
    }

    /// The highest committed sequence number.
    public func lastSequence() async throws -> Int64 {
        notifier.latest
    }

    /// Waits for a commit past `sequence`, or until `timeout`.
    public func waitForAppend(after sequence: Int64, timeout: Duration) async {
        await notifier.wait(after: sequence, timeout: timeout)
    }

    /// Refuses further appends (used when shutting down outside a service group).
    public func close() {
        queue.close()
    }
}
