// SPDX-License-Identifier: Apache-2.0

import Logging
import TocsinConfig
import TocsinCore
import TocsinDetect
import TocsinResponse
import TocsinRules
import TocsinStore

/// The detection engine with the table it was built from: turns logged events into observations,
/// and the engine's alerts into `tocsin.alert.raised` events.
struct DetectionRunner {
    let table: DetectionTable
    private(set) var engine: DetectionEngine
    private let handles: [RuleHandle]
    private let sourceIndex: [String: Int]
    private let context = MatchContext()
    /// Observations older than their rule's allowed lateness, since the start.
    private(set) var lateObservations = 0

    init(table: DetectionTable, engine: DetectionEngine) {
        self.table = table
        self.engine = engine
        self.handles = table.rules.compactMap { engine.handle(for: $0.id) }
        self.sourceIndex = Dictionary(
            table.sources.enumerated().map { ($0.element.name, $0.offset) },
            uniquingKeysWith: { first, _ in first }
        )
    }

    /// A runner whose state is rebuilt from the log up to `cursor`: the events its windows can
    /// still reach are re-read with the engine silent, so no alert already recorded is raised again.
    static func rebuilt(
        table: DetectionTable,
        through cursor: Int64,
        store: EventStore,
        logger: Logger
    ) async throws -> DetectionRunner {
        var runner = DetectionRunner(table: table, engine: try DetectionEngine(rules: table.rules))
        guard cursor > 0, !table.rules.isEmpty, let last = try await store.event(at: cursor) else {
            return runner
        }
        var from: Int64 = 0
        if let start = DetectionEngine.replayStart(for: table.rules, newestEventTime: Self.time(of: last)) {
            var first = EventQuery(after: 0, limit: 1)
            first.timeFrom = start
            from = max(0, (try await store.query(first).events.first?.sequence ?? cursor) - 1)
        }
        runner.engine.beginReplay(through: cursor)
        var after = from
        while after < cursor {
            let page = try await store.query(EventQuery(after: after, limit: DetectionService.batchSize))
            for logged in page.events where logged.sequence <= cursor {
                _ = runner.process(logged, identifiers: store.identifiers)
            }
            guard let next = page.events.last?.sequence, next > after else {
                break
            }
            after = next
        }
        logger.info(
            "Detection state rebuilt from the log.",
            metadata: ["log.from": "\(from + 1)", "log.through": "\(cursor)", "detect.rules": "\(table.rules.count)"]
        )
        return runner
    }

    /// A runner for a changed table that keeps the state of every rule that did not change.
    ///
    /// When the state cannot be carried over it starts empty; when the new table cannot run at all
    /// (a rule the engine refuses), no detection runs until the next change, and the error says why.
    func replacing(table: DetectionTable, logger: Logger) -> DetectionRunner {
        do {
            let engine = try DetectionEngine(rules: table.rules, restoring: engine.snapshot())
            if !engine.rulesStartedEmpty.isEmpty {
                logger.info(
                    "Detection rules changed; new and changed rules start with empty state.",
                    metadata: ["detect.rules": "\(engine.rulesStartedEmpty.joined(separator: ","))"]
                )
            }
            return DetectionRunner(table: table, engine: engine)
        } catch {
            logger.error("Detection state could not be carried over; it starts empty.", metadata: ["error": "\(error)"])
        }
        do {
            return DetectionRunner(table: table, engine: try DetectionEngine(rules: table.rules))
        } catch {
            logger.error("The detection rules cannot run; none runs.", metadata: ["error": "\(error)"])
            return DetectionRunner(table: .empty, engine: Self.idle)
        }
    }

    /// An engine without rules.
    private static var idle: DetectionEngine {
        do {
            return try DetectionEngine(rules: [])
        } catch {
            preconditionFailure("an engine without rules is always valid")
        }
    }

    /// Feeds one logged event to the engine; returns the alert events to append.
    mutating func process(_ logged: LoggedEvent, identifiers: EventIdentifiers) -> [CloudEvent] {
        guard !table.rules.isEmpty,
            !DetectionService.skippedTypePrefixes.contains(where: { logged.event.type.hasPrefix($0) })
        else {
            return []
        }
        let time = Self.time(of: logged)
        let document = logged.matchDocument
        let observations = table.observations(
            for: document,
            sequence: logged.sequence,
            eventTime: time,
            handles: handles,
            context: context
        )
        var raised: [TocsinDetect.Alert] = []
        if observations.isEmpty {
            raised = engine.advance(to: time)
        }
        for observation in observations {
            let outcome = engine.observe(observation)
            if outcome.isLate {
                lateObservations += 1
            }
            raised += outcome.alerts
        }
        return raised.compactMap { alert in
            event(
                for: alert,
                trigger: alert.evidence.last == logged.sequence ? document : nil,
                identifiers: identifiers
            )
        }
    }

    /// The `tocsin.alert.raised` event of an engine alert, with the event that crossed the
    /// threshold attached for the rule's targets.
    private func event(
        for alert: TocsinDetect.Alert,
        trigger: JSONValue?,
        identifiers: EventIdentifiers
    ) -> CloudEvent? {
        guard let index = sourceIndex[alert.rule] else {
            return nil
        }
        let source = table.sources[index]
        var recorded = TocsinResponse.Alert(
            rule: source.name,
            title: source.title,
            level: .medium,
            kind: .threshold,
            evidence: alert.evidence,
            group: zip(source.groupBy, alert.group).map { .init(field: $0.description, value: .string($1)) },
            count: alert.count,
            firstEventMilliseconds: alert.firstTime,
            lastEventMilliseconds: alert.lastTime,
            isStaged: source.staged,
            identity: alert.identity
        )
        recorded.trigger = trigger
        return recorded.event(identifiers: identifiers)
    }

    /// An event's time for detection: its `time`, or when it has none, when the log accepted it.
    static func time(of logged: LoggedEvent) -> Int64 {
        logged.event.time?.epochMilliseconds ?? logged.ingestMilliseconds
    }
}
