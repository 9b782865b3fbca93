// SPDX-License-Identifier: Apache-2.0

import Logging
import TocsinConfig
import TocsinCore
import TocsinDetect
import TocsinResponse
import TocsinRules
import TocsinStore

/// The detection engines with the table they were built from: turns logged events into
/// observations, and the engines' alerts into `tocsin.alert.raised` events.
///
/// Each rule has an engine of its own, so each keeps its own event-time watermark: a source whose
/// events arrive an hour late (CloudTrail) never makes another source's events (sshd) late, and
/// Tocsin's own events, stamped with the clock, move no rule's time.
struct DetectionRunner {
    let table: DetectionTable
    private(set) var engines: [DetectionEngine]
    private let context = MatchContext()
    /// Observations older than their rule's allowed lateness, since the start.
    private(set) var lateObservations = 0

    init(table: DetectionTable, engines: [DetectionEngine]) {
        self.table = table
        self.engines = engines
    }

    /// A runner with empty state.
    ///
    /// - Throws: `DetectionError` when the engine refuses one of the table's rules.
    init(table: DetectionTable) throws(DetectionError) {
        var engines: [DetectionEngine] = []
        for rule in table.rules {
            engines.append(try DetectionEngine(rules: [rule]))
        }
        self.init(table: table, engines: engines)
    }

    /// How far, in milliseconds of ingest time, a restart re-reads the log before its cursor, beyond
    /// the rules' own reach (window, suppression and lateness): events that arrived that much later
    /// than their neighbours would have been late anyway.
    static let replayMargin: Int64 = 3_600_000

    /// A runner whose state is rebuilt from the log up to `cursor`: the events its windows can
    /// still reach are re-read with the engines silent, so no alert already recorded is raised again.
    static func rebuilt(
        table: DetectionTable,
        through cursor: Int64,
        store: EventStore,
        logger: Logger
    ) async throws -> DetectionRunner {
        var runner = try DetectionRunner(table: table)
        guard cursor > 0, !table.rules.isEmpty, let last = try await store.event(at: cursor) else {
            return runner
        }
        var from: Int64 = 0
        if let horizon = DetectionEngine.replayHorizon(for: table.rules) {
            from =
                try await firstSequence(
                    ingestedAtOrAfter: last.ingestMilliseconds - horizon - replayMargin,
                    upTo: cursor,
                    store: store
                ) - 1
        }
        for index in runner.engines.indices {
            runner.engines[index].beginReplay(through: cursor)
        }
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

    /// The first sequence number at or before `cursor` whose ingest time is at or after `time`
    /// (binary search: sequence numbers follow ingest order).
    private static func firstSequence(
        ingestedAtOrAfter time: Int64,
        upTo cursor: Int64,
        store: EventStore
    )
        async throws -> Int64
    {
        var low: Int64 = 1
        var high = cursor
        while low < high {
            let middle = low + (high - low) / 2
            if let event = try await store.event(at: middle), event.ingestMilliseconds >= time {
                high = middle
            } else {
                low = middle + 1
            }
        }
        return low
    }

    /// A runner for a changed table that keeps the state of every rule that did not change.
    ///
    /// When the engine refuses a rule (the limits of rule files keep that from happening), no
    /// detection runs until the next change, and the error says why.
    func replacing(table: DetectionTable, logger: Logger) -> DetectionRunner {
        var kept: [String: DetectionEngine] = [:]
        for (rule, engine) in zip(self.table.rules, engines) {
            kept[rule.id] = engine
        }
        var engines: [DetectionEngine] = []
        var started: [String] = []
        for rule in table.rules {
            if let engine = kept[rule.id], engine.rules == [rule] {
                engines.append(engine)
                continue
            }
            do {
                engines.append(try DetectionEngine(rules: [rule]))
                started.append(rule.id)
            } catch {
                logger.error("A detection rule cannot run; no detection runs.", metadata: ["error": "\(error)"])
                return DetectionRunner(table: .empty, engines: [])
            }
        }
        if !started.isEmpty {
            logger.info(
                "Detection rules changed; new and changed rules start with empty state.",
                metadata: ["detect.rules": "\(started.joined(separator: ","))"]
            )
        }
        return DetectionRunner(table: table, engines: engines)
    }

    /// Feeds one logged event to the engines of the rules it matches; returns the alert events to
    /// append.
    mutating func process(_ logged: LoggedEvent, identifiers: EventIdentifiers) -> [CloudEvent] {
        guard !table.rules.isEmpty,
            !DetectionService.skippedTypePrefixes.contains(where: { logged.event.type.hasPrefix($0) })
        else {
            return []
        }
        let document = logged.matchDocument
        var events: [CloudEvent] = []
        for match in table.matches(for: document, context: context) {
            guard let handle = engines[match.rule].handle(for: table.rules[match.rule].id) else {
                continue
            }
            let outcome = engines[match.rule].observe(
                Observation(
                    rule: handle,
                    sequence: logged.sequence,
                    eventTime: Self.time(of: logged),
                    group: match.group
                )
            )
            if outcome.isLate {
                lateObservations += 1
            }
            for alert in outcome.alerts {
                let trigger = alert.evidence.last == logged.sequence ? document : nil
                events.append(
                    event(for: alert, source: table.sources[match.rule], trigger: trigger, identifiers: identifiers)
                )
            }
        }
        return events
    }

    /// The `tocsin.alert.raised` event of an engine alert, with the event that crossed the
    /// threshold attached for the rule's targets.
    private func event(
        for alert: TocsinDetect.Alert,
        source: DetectionTable.Source,
        trigger: JSONValue?,
        identifiers: EventIdentifiers
    ) -> CloudEvent {
        var recorded = TocsinResponse.Alert(
            rule: source.name,
            title: source.title,
            level: source.level,
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
