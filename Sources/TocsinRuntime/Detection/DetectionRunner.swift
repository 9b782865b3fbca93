// SPDX-License-Identifier: Apache-2.0

import Logging
import TocsinConfig
import TocsinCore
import TocsinDetect
import TocsinResponse
import TocsinStore

/// The detection engines with the table they were built from: turns logged events into
/// evaluations, and the alerts into `tocsin.alert.raised` events.
struct DetectionRunner {
    private(set) var engines: DetectionEngines
    private let context = DetectionContext()

    /// The table the runner runs.
    var table: DetectionTable {
        engines.table
    }

    /// Observations older than their rule's allowed lateness, since the start.
    var lateObservations: Int {
        engines.lateObservations
    }

    /// Groups held now and groups evicted since the start, over every rule.
    var totals: (groups: Int, evicted: Int) {
        var totals = (groups: 0, evicted: 0)
        for (rule, engine) in zip(engines.table.rules, engines.engines) {
            if let handle = engine.handle(for: rule.id) {
                let statistics = engine.statistics(for: handle)
                totals.groups += statistics.groups
                totals.evicted += statistics.evicted
            }
        }
        return totals
    }

    init(engines: DetectionEngines) {
        self.engines = engines
    }

    /// A runner with empty state.
    ///
    /// - Throws: `DetectionError` when the engine refuses one of the table's rules.
    init(table: DetectionTable) throws(DetectionError) {
        self.init(engines: try DetectionEngines(table: table))
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
        log: any EventLog,
        identifiers: EventIdentifiers,
        logger: Logger
    ) async throws -> DetectionRunner {
        var runner = try DetectionRunner(table: table)
        guard cursor > 0, !table.rules.isEmpty, let last = try await log.event(at: cursor) else {
            return runner
        }
        var from: Int64 = 0
        if let horizon = table.replayHorizon {
            from =
                try await firstSequence(
                    ingestedAtOrAfter: last.ingestMilliseconds - horizon - replayMargin,
                    upTo: cursor,
                    log: log
                ) - 1
        }
        runner.engines.beginReplay(through: cursor)
        var after = from
        while after < cursor {
            let page = try await log.query(EventQuery(after: after, limit: DetectionService.batchSize))
            for logged in page.events where logged.sequence <= cursor {
                _ = runner.process(logged, identifiers: identifiers)
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
        log: any EventLog
    ) async throws -> Int64 {
        var low: Int64 = 1
        var high = cursor
        while low < high {
            let middle = low + (high - low) / 2
            if let event = try await log.event(at: middle), event.ingestMilliseconds >= time {
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
        do {
            let engines = try DetectionEngines(table: table, keepingFrom: engines)
            let kept = Set(zip(self.table.rules, self.engines.engines).map(\.0))
            let started = table.rules.filter { !kept.contains($0) }.map(\.id)
            if !started.isEmpty {
                logger.info(
                    "Detection rules changed; new and changed rules start with empty state.",
                    metadata: ["detect.rules": "\(started.joined(separator: ","))"]
                )
            }
            return DetectionRunner(engines: engines)
        } catch {
            logger.error("A detection rule cannot run; no detection runs.", metadata: ["error": "\(error)"])
            return DetectionRunner(engines: .idle)
        }
    }

    /// Feeds one logged event to the Sigma rules and to the engines of the stateful rules it
    /// matches; returns the alert events to append.
    ///
    /// Every event read, Tocsin's own included, moves the absence rules' time to its ingest time, so
    /// a stream that falls silent while others flow raises its absence. A caller that already built
    /// the event's match document passes it as `document`, so it is not built twice.
    mutating func process(
        _ logged: LoggedEvent,
        document: JSONValue? = nil,
        identifiers: EventIdentifiers
    ) -> [CloudEvent] {
        guard !table.isEmpty else {
            return []
        }
        var events = engines.advanceAbsences(to: logged.ingestMilliseconds, sequence: logged.sequence).map {
            Alert($0).event(identifiers: identifiers)
        }
        guard !DetectionService.skippedTypePrefixes.contains(where: { logged.event.type.hasPrefix($0) }) else {
            return events
        }
        let document = document ?? logged.matchDocument
        let evaluation = table.evaluate(document, context: context)
        let time = logged.event.time?.epochMilliseconds ?? logged.ingestMilliseconds
        for index in evaluation.sigmaAlerts {
            let source = table.sigmaSources[index]
            let alert = Alert(
                source,
                evidence: [logged.sequence],
                group: [],
                count: 1,
                first: time,
                last: time,
                identity: "sigma:\(source.name):\(logged.sequence)"
            )
            events.append(alert.event(identifiers: identifiers))
        }
        for raised in engines.observe(evaluation, sequence: logged.sequence, time: time) {
            var alert = Alert(raised)
            if AlertDeliveries.routedKinds.contains(raised.source.kind), raised.alert.evidence.last == logged.sequence {
                alert.trigger = document
            }
            events.append(alert.event(identifiers: identifiers))
        }
        return events
    }
}

extension TocsinResponse.Alert {
    /// An alert of the rule `source` describes.
    init(
        _ source: DetectionTable.Source,
        evidence: [Int64],
        group: [GroupValue],
        count: Int,
        first: Int64,
        last: Int64,
        identity: String
    ) {
        self.init(
            rule: source.name,
            title: source.title,
            level: source.level,
            tags: source.tags,
            author: source.author,
            kind: source.kind,
            evidence: evidence,
            group: group,
            count: count,
            firstEventMilliseconds: first,
            lastEventMilliseconds: last,
            isStaged: source.staged,
            identity: identity
        )
    }

    /// The alert of an engine's detection.
    init(_ raised: DetectionEngines.Raised) {
        self.init(
            raised.source,
            evidence: raised.alert.evidence,
            group: zip(raised.source.groupFields, raised.alert.group).map { .init(field: $0, value: .string($1)) },
            count: raised.alert.count,
            first: raised.alert.firstTime,
            last: raised.alert.lastTime,
            identity: raised.alert.identity
        )
    }
}
