// SPDX-License-Identifier: Apache-2.0

import CoreMetrics
import Synchronization

/// The router: events routed, matches per rule, and how far it trails the head of the log.
///
/// Rule names come from the configuration, so the `rule` label stays low-cardinality; each rule's
/// counter is made on its first match and kept.
public final class RoutingMetrics: Sendable {
    private let factory: any MetricsFactory
    private let events: Counter
    private let lag: Gauge
    private let matches = Mutex<[String: Counter]>([:])

    init(factory: any MetricsFactory) {
        self.factory = factory
        events = Counter(label: MetricName.routerEvents, factory: factory)
        lag = Gauge(label: MetricName.routerLag, factory: factory)
    }

    /// Counts one routed batch: `events` read, and the matches of each rule among them.
    public func routed(events count: Int, matches: [String: Int]) {
        events.increment(by: Int64(count))
        guard !matches.isEmpty else {
            return
        }
        let factory = self.factory
        self.matches.withLock { counters in
            for (rule, count) in matches {
                let counter =
                    counters[rule]
                    ?? Counter(label: MetricName.ruleMatches, dimensions: [("rule", rule)], factory: factory)
                counters[rule] = counter
                counter.increment(by: Int64(count))
            }
        }
    }

    /// Sets the router's lag: the head of the log minus the router's cursor, read when scraped.
    public func lag(_ events: Int64) {
        lag.record(events)
    }
}

/// Delivery attempts by target and outcome, attempt latency, breakers and the dead-letter queue.
///
/// Target names come from the configuration; each target's handles are made on first use and kept.
public final class DeliveryMetrics: Sendable {
    /// What became of a delivery after an attempt.
    public enum Outcome: String, Sendable, CaseIterable {
        /// The target took it.
        case succeeded
        /// It failed and will be tried again.
        case retrying
        /// It failed for good and went to the dead-letter queue.
        case deadLettered = "dead_lettered"
    }

    private struct Handles {
        var outcomes: [Counter]
        var duration: Timer
        var breaker: Gauge
    }

    private let factory: any MetricsFactory
    private let targets = Mutex<[String: Handles]>([:])
    private let depth: Gauge

    init(factory: any MetricsFactory) {
        self.factory = factory
        depth = Gauge(label: MetricName.dlqDepth, factory: factory)
    }

    /// Counts one attempt's result for `target`.
    public func outcome(_ outcome: Outcome, target: String) {
        let index = Outcome.allCases.firstIndex(of: outcome) ?? 0
        handles(target).outcomes[index].increment()
    }

    /// Records how long one attempt to `target` took.
    public func attempt(target: String, nanoseconds: Int64) {
        handles(target).duration.recordNanoseconds(nanoseconds)
    }

    /// Sets whether `target`'s circuit breaker is open (`true`) or closed.
    public func breaker(target: String, isOpen: Bool) {
        handles(target).breaker.record(isOpen ? 1 : 0)
    }

    /// Sets the number of deliveries in the dead-letter queue, read when scraped.
    public func deadLetters(_ count: Int) {
        depth.record(count)
    }

    private func handles(_ target: String) -> Handles {
        let factory = self.factory
        return targets.withLock { targets in
            if let found = targets[target] {
                return found
            }
            let created = Handles(
                outcomes: Outcome.allCases.map { outcome in
                    Counter(
                        label: MetricName.deliveries,
                        dimensions: [("target", target), ("outcome", outcome.rawValue)],
                        factory: factory
                    )
                },
                duration: Timer(
                    label: MetricName.deliveryAttemptDuration,
                    dimensions: [("target", target)],
                    factory: factory
                ),
                breaker: Gauge(label: MetricName.breakerOpen, dimensions: [("target", target)], factory: factory)
            )
            targets[target] = created
            return created
        }
    }
}

/// Stateful detection: groups held, groups evicted, late events and alerts raised.
public final class DetectionMetrics: Sendable {
    private let groups: Gauge
    private let evictions: Counter
    private let late: Counter
    private let alerts: Counter
    private let totals = Mutex((evicted: MonotonicTotal(), late: MonotonicTotal()))

    init(factory: any MetricsFactory) {
        groups = Gauge(label: MetricName.detectionGroups, factory: factory)
        evictions = Counter(label: MetricName.detectionEvictions, factory: factory)
        late = Counter(label: MetricName.detectionLateEvents, factory: factory)
        alerts = Counter(label: MetricName.detectionAlerts, factory: factory)
    }

    /// Records the engines' state after a batch: groups held now, and their running totals of
    /// evicted groups and late events (which restart from zero when the engines are rebuilt).
    public func observed(groups held: Int, evicted: Int, late lateTotal: Int, alerts raised: Int) {
        groups.record(held)
        let (newEvictions, newLate) = totals.withLock { totals in
            (totals.evicted.advance(to: evicted), totals.late.advance(to: lateTotal))
        }
        if newEvictions > 0 {
            evictions.increment(by: Int64(newEvictions))
        }
        if newLate > 0 {
            late.increment(by: Int64(newLate))
        }
        if raised > 0 {
            alerts.increment(by: Int64(raised))
        }
    }
}
