// SPDX-License-Identifier: Apache-2.0

public import TocsinConfig
public import TocsinCore
public import TocsinDetect
import TocsinResponse
import TocsinRules
import TocsinStore

/// Re-runs logged events through the rules and reports what they would have done.
///
/// Events go, in sequence order, through a routing table's pattern rules, Sigma rules and stateful
/// detections; the ``ShadowReport`` says what they would have matched, alerted and delivered. The
/// engine appends nothing and sends nothing.
///
/// It runs the server's own machinery: ``RoutingTable/routes(for:context:)`` for routing, the
/// detection runner of the detection service for Sigma and stateful rules, and the alert routing
/// of the router. Alerts the replay raises are routed as the router would route them once logged;
/// the alerts, deliveries and earlier replays already in the log are not re-run (the replay makes
/// its own). Time is the events' time and ingest time, never the wall clock: the same events give
/// the same report.
public struct ReplayEngine {
    /// A delivery a replay that delivers calls for.
    public struct Delivery: Sendable, Hashable {
        /// What is delivered: the logged event, or an alert the replay raised (under the sequence
        /// number of the event that raised it).
        public var event: LoggedEvent
        /// Which of the event's outcomes it delivers: `event` for a match of the event itself,
        /// `alert-N` for the N-th alert (from 0) the event raised.
        public var origin: String
        /// The rule and the target.
        public var route: RoutingTable.Route
    }

    /// Event types a replay does not run through the rules: the records of past deliveries, alerts
    /// and replays, which the replay recomputes or which are not history.
    public static let skippedTypePrefixes = ["tocsin.delivery.", "tocsin.alert.", "tocsin.replay."]

    /// How an event's match document is built; a reader can build documents ahead of the engine.
    public struct Documents: Sendable {
        /// What the rules read of an event, or `nil` when the whole document is needed.
        let projection: MatchProjection?

        /// The match document of `logged` the engine needs.
        public func document(for logged: LoggedEvent) -> JSONValue {
            guard let projection else {
                return logged.matchDocument
            }
            return logged.matchDocument(keeping: projection)
        }
    }

    /// How this engine builds match documents.
    ///
    /// Only the parts the pattern rules and the selection's pattern read, when no Sigma or stateful
    /// rule runs; the whole document otherwise (detections read more, and an alert's trigger is
    /// the whole document).
    public let documents: Documents
    private let table: RoutingTable
    private let selection: ReplaySelection
    private var runner: DetectionRunner
    private let filter: PatternMachine?
    private let context = MatchContext()
    private let filterContext = MatchContext()
    private let identifiers = EventIdentifiers.ephemeral()
    private var building = ShadowReport()
    private var deliveries: [Delivery] = []

    /// An engine with empty detection state.
    ///
    /// - Parameters:
    ///   - table: The rules and targets to run.
    ///   - selection: Which events, rules and targets the report covers.
    /// - Throws: `DetectionError` when the detection engine refuses one of the table's rules.
    public init(table: RoutingTable, selection: ReplaySelection) throws(DetectionError) {
        self.table = table
        self.selection = selection
        self.runner = try DetectionRunner(table: table.detections)
        self.filter = selection.pattern.map {
            PatternMachine(rules: [PatternMachine.Rule(name: "replay", pattern: $0)])
        }
        self.documents = Documents(
            projection: table.detections.isEmpty
                ? table.projection.adding(selection.pattern?.fieldPaths ?? []) : nil
        )
    }

    /// The report so far.
    public var report: ShadowReport {
        var report = building
        report.late = runner.lateObservations
        return report
    }

    /// The deliveries called for since the last call, in the order they were routed; always empty
    /// unless the selection ``ReplaySelection/delivers``.
    public mutating func takeDeliveries() -> [Delivery] {
        defer { deliveries.removeAll(keepingCapacity: true) }
        return deliveries
    }

    /// Runs one logged event; call in sequence order.
    ///
    /// - Parameters:
    ///   - logged: The event.
    ///   - document: Its match document as ``documents`` builds it, when a reader built it ahead.
    public mutating func process(_ logged: LoggedEvent, document: JSONValue? = nil) {
        building.events += 1
        let type = logged.event.type
        if type.hasPrefix("tocsin.replay.") {
            return
        }
        let document = document ?? documents.document(for: logged)
        if let filter {
            filter.match(document, context: filterContext)
            guard !filterContext.matchedRules.isEmpty else {
                return
            }
        }
        building.replayed += 1
        // Detection first reads every other event (absence time moves with Tocsin's own records too).
        let alerts = runner.process(logged, document: document, identifiers: identifiers)
        if !Self.skippedTypePrefixes.contains(where: { type.hasPrefix($0) }) {
            record(table.routes(for: document, context: context), delivering: logged, origin: "event", alertRule: nil)
        }
        for (index, event) in alerts.enumerated() {
            raise(event, for: logged, origin: "alert-\(index)")
        }
    }

    private mutating func raise(_ event: CloudEvent, for logged: LoggedEvent, origin: String) {
        guard var alert = try? TocsinResponse.Alert(event: event) else {
            return
        }
        let alerted = LoggedEvent(
            sequence: logged.sequence,
            event: event,
            ingestMilliseconds: logged.ingestMilliseconds,
            hash: []
        )
        if selection.includes(rule: alert.rule) {
            building.rules[alert.rule, default: .init()].alerts += 1
            if building.alertExamples.count < selection.examples {
                alert.trigger = nil
                building.alertExamples.append(.init(sequence: logged.sequence, rule: alert.rule, alert: alert.json))
            }
        }
        let routes =
            table.routes(for: alerted.matchDocument, context: context)
            + AlertDeliveries.routes(for: alerted, table: table)
        record(routes, delivering: alerted, origin: origin, alertRule: alert.rule)
    }

    /// Counts an event's routes: a match per rule, a delivery per (rule, target).
    ///
    /// Routes of an alert count when the rule that routes it or the rule that raised it is selected.
    private mutating func record(
        _ routes: [RoutingTable.Route],
        delivering event: LoggedEvent,
        origin: String,
        alertRule: String?
    ) {
        let sequence = event.sequence
        var counted: Set<String> = []
        for route in routes {
            guard selection.includes(rule: route.rule) || alertRule.map(selection.includes(rule:)) == true else {
                continue
            }
            if alertRule == nil, counted.insert(route.rule).inserted {
                building.rules[route.rule, default: .init()].matched += 1
                if building.matchExamples.count < selection.examples {
                    building.matchExamples.append(.init(sequence: sequence, rule: route.rule))
                }
            }
            guard selection.includes(target: route.target) else {
                continue
            }
            building.rules[route.rule, default: .init()].deliveries += 1
            if route.dryRun {
                building.targets[route.target, default: .init()].dryRuns += 1
            } else {
                building.targets[route.target, default: .init()].deliveries += 1
            }
            if building.deliveryExamples.count < selection.examples {
                building.deliveryExamples.append(.init(sequence: sequence, rule: route.rule, target: route.target))
            }
            if selection.delivers {
                deliveries.append(Delivery(event: event, origin: origin, route: route))
            }
        }
    }
}

/// One engine belongs to the one task that feeds it events: its match scratch space is not shared.
@available(*, unavailable)
extension ReplayEngine: Sendable {}
