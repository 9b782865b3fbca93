// SPDX-License-Identifier: Apache-2.0

import Logging
import ServiceLifecycle
import TocsinConfig
import TocsinCore
import TocsinDetect
import TocsinMetrics
import TocsinResponse
import TocsinRules
import TocsinStore
import Tracing

/// Runs the stateful detections over the log: reads it from a persisted cursor, feeds every event
/// that a threshold rule matches to the detection engine, and appends each alert the engine raises
/// as a `tocsin.alert.raised` event, then moves the cursor.
///
/// Alerts are appended before the cursor moves, so a crash repeats work and never loses it; an
/// alert's id derives from its identity, so the repeat is one record. At start the engine's state
/// is rebuilt by re-reading, silently, the stretch of log its windows can reach back to.
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
    /// Where the detector's cursor persists.
    let cursor: any DetectionCursor
    let state: RoutingState
    let clock: any WallClock
    let logger: Logger
    /// State size, evictions, late events and alerts.
    var metrics: DetectionMetrics = TocsinMetrics.disabled().detection
    /// Opens an event's sealed personal fields, so detections see the plaintext (docs/erasure.md).
    var openEvent: @Sendable (LoggedEvent) -> LoggedEvent = { $0 }

    func run() async throws {
        var cursor = try await self.cursor.load()
        var runner = await rebuild(through: cursor)
        var tickedFor: Int64?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let table = state.current.detections
                if !table.isSame(as: runner.table) {
                    runner = runner.replacing(table: table, logger: logger)
                }
                let head = try await log.lastSequence()
                guard head > cursor else {
                    await log.waitForAppend(after: cursor, timeout: .seconds(1))
                    if let due = runner.engines.nextAbsenceDue, due != tickedFor, clock.milliseconds >= due,
                        try await log.lastSequence() == cursor
                    {
                        tickedFor = due
                        _ = try await log.append([Self.tick(due: due, now: clock.milliseconds)])
                    }
                    continue
                }
                var query = EventQuery(after: cursor, limit: Self.batchSize)
                // Without rules, detection looks into no event: it only moves its cursor.
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
                try await self.cursor.save(through)
                cursor = through
                let totals = runner.totals
                metrics.observed(
                    groups: totals.groups,
                    evicted: totals.evicted,
                    late: runner.lateObservations,
                    alerts: alerts.count
                )
            } catch {
                logger.error(
                    "Detection failed; retrying from the cursor.",
                    metadata: ["error": "\(error)", "cursor": "\(cursor)"]
                )
                try? await Task.sleep(for: .seconds(1))
                // The engines may have counted part of the failed batch: rebuild them up to the cursor.
                runner = await rebuild(through: cursor)
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

    /// A runner whose state is rebuilt from the log up to `cursor`; when the log cannot be read,
    /// one with empty state (and the error logged), so detection goes on.
    private func rebuild(through cursor: Int64) async -> DetectionRunner {
        let table = state.current.detections
        do {
            return try await DetectionRunner.rebuilt(
                table: table,
                through: cursor,
                log: log,
                identifiers: identifiers,
                logger: logger
            )
        } catch {
            logger.error(
                "Detection state could not be rebuilt from the log; it starts empty.",
                metadata: ["error": "\(error)", "cursor": "\(cursor)"]
            )
            return DetectionRunner(engines: (try? DetectionEngines(table: table)) ?? .idle)
        }
    }
}

/// Where the detector's cursor persists: the last sequence whose alerts are in the log.
protocol DetectionCursor: Sendable {
    /// The saved cursor (0 before the first save).
    func load() async throws -> Int64
    /// Saves `sequence`.
    func save(_ sequence: Int64) async throws
}

/// The cursor in the embedded store's `cursors` table.
struct StoreDetectionCursor: DetectionCursor {
    let store: EventStore

    func load() async throws -> Int64 {
        try await store.routing.cursor(DetectionService.cursorName)
    }

    func save(_ sequence: Int64) async throws {
        try await store.routing.recordRoutes([], cursor: DetectionService.cursorName, to: sequence)
    }
}
