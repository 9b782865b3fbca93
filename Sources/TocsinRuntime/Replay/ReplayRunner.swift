// SPDX-License-Identifier: Apache-2.0

import Logging
import ServiceLifecycle
import TocsinConfig
import TocsinCore
import TocsinDetect
import TocsinRules
import TocsinServer
import TocsinStore

/// Accepts replays (``ReplayAdministration``) and runs them, one at a time, as a service.
///
/// A replay is stored before it is acknowledged and announced by a `tocsin.replay.started` event;
/// the runner reads its range page by page through a ``ReplayEngine``, records its progress after
/// every page, and closes it with its report and a `tocsin.replay.completed` event. The engine's
/// state is not persisted: a replay that a restart interrupted starts again from its first
/// sequence number (the restart is counted), and, the engine being deterministic, reaches the same
/// report as an uninterrupted run, provided the rules did not change in between.
final class ReplayRunner: ReplayAdministration, Service {
    /// Events read per page.
    static let batchSize = 1024
    /// The source of the `tocsin.replay.*` events.
    static let eventSource = "/tocsin/replay"

    let store: EventStore
    private let state: RoutingState
    let clock: any WallClock
    private let logger: Logger
    private let wakes: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    /// Where the archive files are, and the data directory with the node key that verifies them.
    private let directories: (archives: String, data: String)
    /// Wakes the delivery loop after a replay queued deliveries.
    let wakeDeliveries: @Sendable () -> Void

    init(
        store: EventStore,
        state: RoutingState,
        clock: any WallClock,
        logger: Logger,
        directories: (archives: String, data: String),
        wakeDeliveries: @escaping @Sendable () -> Void
    ) {
        self.store = store
        self.state = state
        self.clock = clock
        self.logger = logger
        self.directories = directories
        self.wakeDeliveries = wakeDeliveries
        let (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.wakes = wakes
        self.wake = wake
        // The first pass resumes the replays a restart interrupted.
        wake.yield()
    }

    // MARK: - ReplayAdministration

    func start(_ request: ReplayRequest, actor: String) async throws -> JSONValue {
        let table: RoutingTable
        do {
            table = try await self.table(rulesAsOf: request.rulesAsOf)
        } catch let error as ConfigError {
            throw AdministrationError.invalid(
                error.diagnostics.map { "rules_as_of: the rules of that version do not build now: \($0)" }
            )
        }
        var problems: [String] = []
        let known = Self.ruleNames(table)
        for name in request.rules ?? [] where !known.contains(name) {
            problems.append(
                "rules: no rule is named '\(name)' (pattern, detection or Sigma rule); see GET /v1/rules and the rules directory"
            )
        }
        for name in request.targets ?? [] where table.targets[name] == nil {
            problems.append("targets: no target is named '\(name)'")
        }
        var log = try await openLog()
        let range: ClosedRange<Int64>?
        do {
            range = try await log.resolve(request)
        } catch let problem as ArchiveProblem {
            throw ReplayArchiveUnavailable(file: problem.file, message: problem.message)
        }
        if range == nil {
            problems.append("the range holds no events; check from and to against tocsin events")
        }
        guard problems.isEmpty, let range else {
            throw AdministrationError.invalid(problems)
        }
        let record = try await store.replays.create(
            request: JSONWriter().string(request.json),
            actor: actor,
            first: range.lowerBound,
            last: range.upperBound,
            now: clock.milliseconds
        )
        _ = try await store.append([
            InternalEvents.make(
                type: "tocsin.replay.started",
                source: Self.eventSource,
                id: store.identifiers.derived("replay-started", ["\(record.id)"]),
                subject: "\(record.id)",
                time: clock.milliseconds,
                data: [
                    ("id", InternalEvents.number(record.id)),
                    ("first_seq", InternalEvents.number(range.lowerBound)),
                    ("last_seq", InternalEvents.number(range.upperBound)),
                    ("request", request.json),
                    ("actor", .string(actor)),
                ]
            )
        ])
        wake.yield()
        return ReplayStatus.json(record)
    }

    func replay(id: Int64) async throws -> JSONValue? {
        guard let record = try await store.replays.replay(id: id) else {
            return nil
        }
        return try await withDeliveries(ReplayStatus.json(record), record: record)
    }

    func replays(limit: Int) async throws -> [JSONValue] {
        try await store.replays.list(limit: limit).map { ReplayStatus.json($0, includingReport: false) }
    }

    private func openLog() async throws -> ReplayLog {
        try await ReplayLog.open(
            store: store,
            archiveDirectory: directories.archives,
            dataDirectory: directories.data
        )
    }

    /// The table a replay runs: the current one, or the one with the API's rules and the rules
    /// directory's event-pattern rules as they stood at `sequence`.
    ///
    /// - Throws: ``ConfigError`` when a past rule no longer validates, names a missing target, or
    ///   was logged without its definition.
    func table(rulesAsOf sequence: Int64?) async throws -> RoutingTable {
        guard let sequence else {
            return state.current
        }
        let api = RuleHistory.fold(try await events(from: RuleHistory.source, through: sequence), through: sequence)
        let directory = try RuleHistory.directoryRules(
            try await events(from: RuleHistory.directorySource, through: sequence),
            through: sequence
        )
        var diagnostics: [ConfigDiagnostic] = []
        func definitions(_ rules: [String: JSONValue]) -> [RuleDefinition] {
            var definitions: [RuleDefinition] = []
            for (name, definition) in rules.sorted(by: { $0.key < $1.key }) {
                do {
                    definitions.append(try RuleDefinition(name: name, json: definition))
                } catch {
                    diagnostics += error.diagnostics
                }
            }
            return definitions
        }
        let storedRules = definitions(api)
        let fileRules = definitions(directory)
        guard diagnostics.isEmpty else {
            throw ConfigError(diagnostics)
        }
        return try await state.table(storedRules: storedRules, fileRules: fileRules)
    }

    /// The events of `source` up to and including `sequence`, in sequence order.
    private func events(from source: String, through sequence: Int64) async throws -> [LoggedEvent] {
        var events: [LoggedEvent] = []
        var after: Int64 = 0
        while after < sequence {
            var query = EventQuery(after: after, limit: Self.batchSize)
            query.source = source
            let page = try await store.query(query)
            events += page.events.filter { $0.sequence <= sequence }
            guard let next = page.events.last?.sequence, next > after else {
                break
            }
            after = next
        }
        return events
    }

    static func ruleNames(_ table: RoutingTable) -> Set<String> {
        Set(table.rules.keys).union(table.detections.sources.map(\.name)).union(
            table.detections.sigmaSources.map(\.name)
        )
    }

    // MARK: - Service

    func run() async throws {
        var interrupted = true
        for await _ in wakes.cancelOnGracefulShutdown() {
            do {
                for record in try await store.replays.unfinished() {
                    guard !Task.isShuttingDownGracefully, !Task.isCancelled else {
                        return
                    }
                    // At start every unfinished replay was interrupted if it had begun reading.
                    try await store.replays.restart(
                        id: record.id,
                        interrupted: interrupted && record.cursor >= record.firstSequence,
                        now: clock.milliseconds
                    )
                    try await execute(record)
                }
            } catch {
                logger.error("Replay failed; it resumes at the next start.", metadata: ["error": "\(error)"])
            }
            interrupted = false
        }
    }

    private func execute(_ record: ReplayRecord) async throws {
        let selection: ReplaySelection
        let rulesAsOf: Int64?
        do {
            let parsed = try Self.selection(record)
            selection = parsed.selection
            rulesAsOf = parsed.rulesAsOf
        } catch {
            try await fail(record, because: "the stored request no longer validates: \(error)")
            return
        }
        var engine: ReplayEngine
        do {
            engine = try ReplayEngine(table: try await table(rulesAsOf: rulesAsOf), selection: selection)
        } catch let error as ConfigError {
            try await fail(record, because: "the rules of rules_as_of do not build now: \(error)")
            return
        } catch let error as DetectionError {
            try await fail(record, because: "a rule cannot run: \(error)")
            return
        }
        var after = record.firstSequence - 1
        var log = try await openLog()
        logger.info("Replay started.", metadata: ["replay.id": "\(record.id)", "log.from": "\(record.firstSequence)"])
        let documents = engine.documents
        var page: [LoggedEvent]
        var pageDocuments: [JSONValue]
        do {
            (page, pageDocuments, log) = try await Self.read(
                log,
                after: after,
                through: record.lastSequence,
                documents: documents
            )
        } catch let problem as ArchiveProblem {
            try await fail(record, because: "the archive file \(problem.file) cannot be used: \(problem.message)")
            return
        }
        while let next = page.last?.sequence, next > after {
            guard !Task.isShuttingDownGracefully, !Task.isCancelled else {
                return
            }
            // One page ahead: the next page is read, and its match documents built, while the
            // engine runs this one; the pages still reach the engine in sequence order.
            let reading = log
            let last = record.lastSequence
            async let following = ReplayRunner.read(reading, after: next, through: last, documents: documents)
            for (logged, document) in zip(page, pageDocuments) {
                engine.process(logged, document: document)
            }
            try await queue(engine.takeDeliveries(), of: record)
            after = next
            try await store.replays.progress(
                id: record.id,
                processed: Int64(engine.report.events),
                cursor: after,
                now: clock.milliseconds
            )
            do {
                (page, pageDocuments, log) = try await following
            } catch let problem as ArchiveProblem {
                try await fail(record, because: "the archive file \(problem.file) cannot be used: \(problem.message)")
                return
            }
        }
        let report = engine.report
        _ = try await store.append([
            Self.completed(record, report: report, identifiers: store.identifiers, now: clock.milliseconds)
        ])
        try await store.replays.finish(
            id: record.id,
            status: .completed,
            report: JSONWriter().string(report.json),
            error: nil,
            now: clock.milliseconds
        )
        logger.info("Replay completed.", metadata: ["replay.id": "\(record.id)", "replay.events": "\(report.events)"])
    }

    /// The page of `log` after `after` (at most `last`), its events' match documents, and the log
    /// as reading it left it (it re-reads the archives when an archive run moved the live log's
    /// start).
    private static func read(
        _ log: ReplayLog,
        after: Int64,
        through last: Int64,
        documents: ReplayEngine.Documents
    ) async throws -> ([LoggedEvent], [JSONValue], ReplayLog) {
        var log = log
        let page = try await log.page(after: after, through: last, limit: batchSize)
        return (page, page.map(documents.document(for:)), log)
    }

    private func fail(_ record: ReplayRecord, because reason: String) async throws {
        try await store.replays.finish(
            id: record.id,
            status: .failed,
            report: nil,
            error: reason,
            now: clock.milliseconds
        )
        logger.error("Replay failed.", metadata: ["replay.id": "\(record.id)", "error": "\(reason)"])
    }

    /// The selection a stored request asks for.
    static func selection(_ record: ReplayRecord) throws -> (selection: ReplaySelection, rulesAsOf: Int64?) {
        let request = try ReplayRequest(json: try JSONParser().parse(Array(record.request.utf8)))
        var selection = ReplaySelection(
            pattern: try request.pattern.map { try EventPattern(json: $0) },
            rules: request.rules.map(Set.init),
            targets: request.targets.map(Set.init),
            examples: request.examples
        )
        selection.delivers = !request.dryRun
        return (selection, request.rulesAsOf)
    }

    private static func completed(
        _ record: ReplayRecord,
        report: ShadowReport,
        identifiers: EventIdentifiers,
        now: Int64
    ) -> CloudEvent {
        let summary = report.json
        return InternalEvents.make(
            type: "tocsin.replay.completed",
            source: eventSource,
            id: identifiers.derived("replay-completed", ["\(record.id)"]),
            subject: "\(record.id)",
            time: now,
            data: [("id", InternalEvents.number(record.id))]
                + ["events", "replayed", "matched", "alerts", "deliveries"].map { ($0, summary[$0] ?? .null) }
        )
    }
}
