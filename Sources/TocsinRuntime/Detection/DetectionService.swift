// SPDX-License-Identifier: Apache-2.0

import Logging
import ServiceLifecycle
import TocsinCluster
import TocsinConfig
import TocsinCore
import TocsinDetect
import TocsinMetrics
import TocsinResponse
import TocsinRules
import TocsinStore
import Tracing

/// Runs the stateful detections over the log: reads it from persisted cursors, feeds every event
/// that a detection matches to the detection engines, and appends each alert the engines raise as
/// a `tocsin.alert.raised` event, then moves the cursors.
///
/// The service runs the detection partitions it is given (``DetectionPartitions``): a single node
/// runs the one partition of the whole table; a cluster node the partitions it holds leases for.
/// Each partition has its own cursor, the last sequence whose alerts are in the log. Alerts are
/// appended before the cursors move, so a crash repeats work and never loses it; an alert's id
/// derives from its identity, so the repeat is one record. At start the engines' state is rebuilt
/// by re-reading the stretch of log their windows can reach back to, each partition silent up to
/// its own cursor.
///
/// Absence time moves with the events read. When the whole log falls silent past the time an
/// absence comes due, the service appends a `tocsin.clock.tick` event (dated by the injected clock)
/// whose reading reports the silence: the tick is in the log, so a replay gives the same alerts.
struct DetectionService: Service {
    static let cursorName = "detector"
    static let batchSize = 512
    /// The type of the event that moves absence time while nothing else is appended.
    static let tickType = "tocsin.clock.tick"
    /// Tocsin's own records that never feed a detection: deliveries, alerts, checkpoint
    /// announcements and clock ticks (an alert is not one more failed login).
    static let skippedTypePrefixes = ["tocsin.delivery.", "tocsin.alert.", "tocsin.checkpoint.", "tocsin.clock."]

    /// The log detection reads and appends its alerts and ticks to.
    let log: any EventLog
    /// Derive alert ids: the same alert gets the same id wherever it is raised again.
    let identifiers: EventIdentifiers
    /// Where the partitions' cursors persist.
    let cursor: any DetectionCursor
    let state: RoutingState
    let clock: any WallClock
    let logger: Logger
    /// The partitions of the detections, and which of them this service runs.
    var map = PartitionMap(count: 1)
    var partitions: [Int] = [0]
    /// State size, evictions, late events and alerts.
    var metrics: DetectionMetrics = TocsinMetrics.disabled().detection
    /// Opens an event's sealed personal fields, so detections see the plaintext (docs/erasure.md).
    var openEvent: @Sendable (LoggedEvent) -> LoggedEvent = { $0 }

    func run() async throws {
        var saved = try await cursor.load(partitions)
        var (runner, position) = await start(from: saved)
        var tickedFor: Int64?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let table = state.current.detections
                if !table.isSame(as: runner.table) {
                    runner = runner.replacing(table: table, logger: logger)
                }
                let head = try await log.lastSequence()
                guard head > position else {
                    await log.waitForAppend(after: position, timeout: .seconds(1))
                    if let due = runner.partitions.nextAbsenceDue, due != tickedFor, clock.milliseconds >= due,
                        try await log.lastSequence() == position
                    {
                        tickedFor = due
                        _ = try await log.append([Self.tick(due: due, now: clock.milliseconds)])
                    }
                    continue
                }
                var query = EventQuery(after: position, limit: Self.batchSize)
                // Without rules, detection looks into no event: it only moves its cursors.
                query.omitsEnrichment = table.isEmpty
                let page = try await log.query(query)
                let through = page.events.last?.sequence ?? head
                var alerts: [CloudEvent] = []
                for stored in page.events {
                    let logged = openEvent(stored)
                    alerts += EventTracing.withSpan("tocsin.detect", continuing: logged.event) { span in
                        let raised = runner.process(logged, identifiers: identifiers).map(EventTracing.stamp)
                        span.attributes["tocsin.alerts"] = raised.count
                        return raised
                    }
                }
                if !alerts.isEmpty {
                    _ = try await log.append(alerts)
                }
                let moved = saved.filter { $0.value < through }.keys.sorted()
                if !moved.isEmpty {
                    try await cursor.save(moved, through: through)
                    for partition in moved {
                        saved[partition] = through
                    }
                }
                position = through
                let totals = runner.totals
                metrics.observed(
                    groups: totals.groups,
                    evicted: totals.evicted,
                    late: runner.lateObservations,
                    alerts: alerts.count
                )
            } catch {
                logger.error(
                    "Detection failed; retrying from the cursors.",
                    metadata: ["error": "\(error)", "cursor": "\(position)"]
                )
                try? await Task.sleep(for: .seconds(1))
                // The engines may have counted part of the failed batch: rebuild them up to the cursors.
                (runner, position) = await start(from: saved)
            }
        }
    }

    /// The event that moves absence time to `now` while the log is idle.
    static func tick(due: Int64, now: Int64) -> CloudEvent {
        InternalEvents.make(
            type: tickType,
            source: TocsinResponse.Alert.eventSource,
            time: now,
            data: [("absence_due_ms", InternalEvents.number(due))]
        )
    }

    /// A runner whose partitions replay silently through their `cursors`, and the sequence to read after.
    ///
    /// Reading starts at the stretch of log their windows reach back to. When the log cannot be
    /// read, the runner starts at the oldest cursor with empty state (and the error logged), so
    /// detection goes on.
    private func start(from cursors: [Int: Int64]) async -> (DetectionRunner, Int64) {
        let table = state.current.detections
        var partitions: DetectionPartitions
        do {
            partitions = try DetectionPartitions(table: table, map: map, owning: cursors.keys)
        } catch {
            logger.error("A detection rule cannot run; no detection runs.", metadata: ["error": "\(error)"])
            partitions = .idle(map: map, owning: cursors.keys)
        }
        for (partition, through) in cursors {
            partitions.beginReplay(partition: partition, through: through)
        }
        let oldest = cursors.values.min() ?? 0
        do {
            let position = try await DetectionRunner.start(table: partitions.table, cursors: cursors.values, log: log)
            logger.info(
                "Detection starts; its state is rebuilt from the log.",
                metadata: [
                    "log.from": "\(position + 1)", "log.through": "\(cursors.values.max() ?? 0)",
                    "detect.rules": "\(partitions.table.rules.count)", "detect.partitions": "\(partitions.owned)",
                ]
            )
            return (DetectionRunner(partitions: partitions), position)
        } catch {
            logger.error(
                "Detection state could not be rebuilt from the log; it starts empty.",
                metadata: ["error": "\(error)", "cursor": "\(oldest)"]
            )
            return (DetectionRunner(partitions: partitions), oldest)
        }
    }
}

/// Where the detection partitions' cursors persist: for each, the last sequence whose alerts are
/// in the log.
protocol DetectionCursor: Sendable {
    /// The saved cursors of `partitions` (0 for a partition never saved).
    func load(_ partitions: [Int]) async throws -> [Int: Int64]
    /// Saves `sequence` as the cursor of each of `partitions`.
    func save(_ partitions: [Int], through sequence: Int64) async throws
}

/// The single node's cursor (its one partition) in the embedded store's `cursors` table.
struct StoreDetectionCursor: DetectionCursor {
    let store: EventStore

    func load(_ partitions: [Int]) async throws -> [Int: Int64] {
        let cursor = try await store.routing.cursor(DetectionService.cursorName)
        return Dictionary(uniqueKeysWithValues: partitions.map { ($0, cursor) })
    }

    func save(_ partitions: [Int], through sequence: Int64) async throws {
        try await store.routing.recordRoutes([], cursor: DetectionService.cursorName, to: sequence)
    }
}
