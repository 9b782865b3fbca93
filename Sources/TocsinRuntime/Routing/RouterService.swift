// SPDX-License-Identifier: Apache-2.0

import Logging
import ServiceLifecycle
import TocsinConfig
import TocsinCore
import TocsinMetrics
import TocsinRules
import TocsinStore
import Tracing

/// Reads the log from its persisted cursor, matches every event against the rules in force and
/// records one delivery per (event, rule, target) before moving the cursor, in one transaction.
///
/// A crash re-reads from the cursor; the store's uniqueness on (event, rule, target) keeps the
/// replay from creating duplicates. Ingestion never waits for the router: it follows the log.
struct RouterService: Service {
    static let cursorName = "router"
    static let batchSize = 512

    let store: EventStore
    let state: RoutingState
    let wake: @Sendable () -> Void
    let clock: any WallClock
    let logger: Logger
    /// Events routed and matches per rule.
    var metrics: RoutingMetrics = TocsinMetrics.disabled().routing
    /// Opens an event's sealed personal fields, so rules match the plaintext (docs/erasure.md).
    var openEvent: @Sendable (LoggedEvent) -> LoggedEvent = { $0 }

    func run() async throws {
        var cursor = try await store.routing.cursor(Self.cursorName)
        let context = MatchContext()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                // The router's own records (`tocsin.delivery.*`) are never routed: skip them in the
                // query, and move the cursor over them when nothing else came in.
                let head = try await store.lastSequence()
                guard head > cursor else {
                    await store.waitForAppend(after: cursor, timeout: .seconds(1))
                    continue
                }
                let table = state.current
                var query = EventQuery(after: cursor, limit: Self.batchSize)
                query.excludingTypePrefix = "tocsin.delivery."
                query.omitsEnrichment = !table.projection.reaches("enrichment")
                let page = try await store.query(query)
                let through = page.events.count == Self.batchSize ? page.events.last?.sequence ?? head : head
                var deliveries: [RoutingStore.NewDelivery] = []
                var matches: [String: Int] = [:]
                var routed = 0
                for stored in page.events where stored.sequence <= through {
                    routed += 1
                    deliveries += Self.deliveries(
                        for: openEvent(stored),
                        table: table,
                        context: context,
                        matches: &matches
                    )
                }
                let recorded = try await store.routing.recordRoutes(deliveries, cursor: Self.cursorName, to: through)
                cursor = through
                metrics.routed(events: routed, matches: matches)
                if !deliveries.isEmpty {
                    wake()
                }
                // One log write per batch: the routed event (the deliveries projection) and the dry runs.
                var log = deliveries.filter(\.dryRun).map { Self.dryRunEvent($0, identifiers: store.identifiers) }
                if let event = DeliveryEvents.routed(
                    deliveries,
                    ids: recorded.ids,
                    at: recorded.routedMilliseconds,
                    identifiers: store.identifiers
                ) {
                    log.insert(event, at: 0)
                }
                if !log.isEmpty {
                    _ = try await store.append(log)
                }
            } catch {
                logger.error(
                    "Routing failed; retrying from the cursor.",
                    metadata: ["error": "\(error)", "cursor": "\(cursor)"]
                )
                try? await clock.sleep(for: .seconds(1))
            }
        }
    }

    /// The deliveries `logged` makes under `table` (its pattern rules' and, for an alert, its rule's
    /// targets), traced as one `tocsin.route` span; adds one match to `matches` for each rule among them.
    static func deliveries(
        for logged: LoggedEvent,
        table: RoutingTable,
        context: MatchContext,
        matches: inout [String: Int]
    ) -> [RoutingStore.NewDelivery] {
        let routes = EventTracing.withSpan("tocsin.route", continuing: logged.event) { span in
            let routes =
                table.routes(for: logged.matchDocument, context: context)
                + AlertDeliveries.routes(for: logged, table: table)
            span.attributes["tocsin.event.seq"] = logged.sequence
            span.attributes["tocsin.deliveries"] = routes.count
            return routes
        }
        // A rule with several targets matched once.
        for (index, route) in routes.enumerated() where !routes[..<index].contains(where: { $0.rule == route.rule }) {
            matches[route.rule, default: 0] += 1
        }
        return routes.map {
            .init(eventSequence: logged.sequence, rule: $0.rule, target: $0.target, input: $0.input, dryRun: $0.dryRun)
        }
    }

    static func dryRunEvent(_ delivery: RoutingStore.NewDelivery, identifiers: EventIdentifiers) -> CloudEvent {
        InternalEvents.make(
            type: "tocsin.delivery.dryrun",
            source: "/tocsin/router",
            id: identifiers.derived("dryrun", ["\(delivery.eventSequence)", delivery.rule, delivery.target]),
            subject: delivery.target,
            data: [
                ("event", InternalEvents.number(delivery.eventSequence)),
                ("rule", .string(delivery.rule)),
                ("target", .string(delivery.target)),
            ]
        )
    }
}
