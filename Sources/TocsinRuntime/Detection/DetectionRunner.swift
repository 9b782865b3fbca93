// SPDX-License-Identifier: Apache-2.0

import Logging
import TocsinConfig
import TocsinCore
import TocsinDetect
import TocsinResponse
import TocsinStore

/// The detection engines of the partitions a reader owns, with the table they were built from:
/// turns logged events into evaluations, and the alerts into `tocsin.alert.raised` events.
struct DetectionRunner {
    private(set) var partitions: DetectionPartitions
    private let context = DetectionContext()

    /// The table the runner runs.
    var table: DetectionTable {
        partitions.table
    }

    /// Observations older than their rule's allowed lateness, since the start.
    var lateObservations: Int {
        partitions.lateObservations
    }

    /// Groups held now and groups evicted since the start, over every rule.
    var totals: (groups: Int, evicted: Int) {
        var totals = (groups: 0, evicted: 0)
        let engines = partitions.engines
        for (rule, engine) in zip(engines.table.rules, engines.engines) {
            if let handle = engine.handle(for: rule.id) {
                let statistics = engine.statistics(for: handle)
                totals.groups += statistics.groups
                totals.evicted += statistics.evicted
            }
        }
        return totals
    }

    init(partitions: DetectionPartitions) {
        self.partitions = partitions
    }

    /// A runner of the whole table (one partition) with empty state.
    ///
    /// - Throws: `DetectionError` when the engine refuses one of the table's rules.
    init(table: DetectionTable) throws(DetectionError) {
        self.init(partitions: try DetectionPartitions(table: table))
    }

    /// How far, in milliseconds of ingest time, a restart re-reads the log before its cursor, beyond
    /// the rules' own reach (window, suppression and lateness): events that arrived that much later
    /// than their neighbours would have been late anyway.
    static let replayMargin: Int64 = 3_600_000

    /// Where a reader whose partitions recorded their alerts through `cursors` starts reading, so
    /// that replaying silently up to each cursor rebuilds the state its windows can still reach:
    /// the stretch of log before the oldest cursor that the table's replay horizon covers (the whole
    /// log when a rule's state cannot be rebuilt by replay).
    static func start(
        table: DetectionTable,
        cursors: some Collection<Int64>,
        log: any EventLog
    ) async throws -> Int64 {
        guard let oldest = cursors.min() else {
            return 0
        }
        guard oldest > 0, !table.rules.isEmpty, let last = try await log.event(at: oldest) else {
            return oldest
        }
        guard let horizon = table.replayHorizon else {
            return 0
        }
        return try await firstSequence(
            ingestedAtOrAfter: last.ingestMilliseconds - horizon - replayMargin,
            upTo: oldest,
            log: log
        ) - 1
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
            let partitions = try DetectionPartitions(table: table, keepingFrom: partitions)
            let kept = Set(self.table.rules)
            let started = table.rules.filter { !kept.contains($0) }.map(\.id)
            if !started.isEmpty {
                logger.info(
                    "Detection rules changed; new and changed rules start with empty state.",
                    metadata: ["detect.rules": "\(started.joined(separator: ","))"]
                )
            }
            return DetectionRunner(partitions: partitions)
        } catch {
            logger.error("A detection rule cannot run; no detection runs.", metadata: ["error": "\(error)"])
            return DetectionRunner(partitions: partitions.idle)
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
        var events = partitions.advanceAbsences(to: logged.ingestMilliseconds, sequence: logged.sequence).map {
            Alert($0).event(identifiers: identifiers)
        }
        guard !DetectionService.skippedTypePrefixes.contains(where: { logged.event.type.hasPrefix($0) }) else {
            return events
        }
        let document = document ?? logged.matchDocument
        let evaluation = table.evaluate(document, context: context)
        let time = logged.event.time?.epochMilliseconds ?? logged.ingestMilliseconds
        for index in evaluation.sigmaAlerts where partitions.raisesSigmaAlert(index, sequence: logged.sequence) {
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
        for raised in partitions.observe(evaluation, sequence: logged.sequence, time: time) {
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
