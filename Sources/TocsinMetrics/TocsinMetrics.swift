// SPDX-License-Identifier: Apache-2.0

import CoreMetrics
public import Prometheus

/// Every metric Tocsin exports, as handles created once and kept by the components that move them.
///
/// The composition root builds one value per server around its own ``PrometheusCollectorRegistry``
/// (no process-global bootstrap), so several servers in one process never share counters. With
/// metrics turned off every handle is a no-op and ``render()`` returns nothing. The names, types
/// and labels are listed in `docs/metrics.md`.
public final class TocsinMetrics: Sendable {
    /// The registry the handles write to; `nil` when metrics are off.
    public let registry: PrometheusCollectorRegistry?
    /// HTTP requests by route template, method and status.
    public let http: HTTPMetrics
    /// Events accepted by the ingestion endpoints.
    public let ingest: IngestMetrics
    /// The log writer: group commits and the head of the chain.
    public let log: LogMetrics
    /// The router: matches per rule and how far it trails the log.
    public let routing: RoutingMetrics
    /// Delivery attempts, breakers and the dead-letter queue.
    public let delivery: DeliveryMetrics
    /// Stateful detection: state size, evictions, late events and alerts.
    public let detection: DetectionMetrics
    /// Refused API requests by reason.
    public let access: AccessMetrics
    /// Syslog lines received and dropped.
    public let syslog: SyslogMetrics
    /// The NATS JetStream cluster as this node sees it (`--backend nats`).
    public let cluster: ClusterMetrics

    private init(registry: PrometheusCollectorRegistry?, factory: any MetricsFactory) {
        self.registry = registry
        self.http = HTTPMetrics(factory: factory)
        self.ingest = IngestMetrics(factory: factory)
        self.log = LogMetrics(factory: factory)
        self.routing = RoutingMetrics(factory: factory)
        self.delivery = DeliveryMetrics(factory: factory)
        self.detection = DetectionMetrics(factory: factory)
        self.access = AccessMetrics(factory: factory)
        self.syslog = SyslogMetrics(factory: factory)
        self.cluster = ClusterMetrics(factory: factory)
    }

    /// Metrics kept in a new registry of their own, with Tocsin's histogram buckets.
    public static func prometheus() -> TocsinMetrics {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = MetricName.durationBuckets
        factory.valueHistogramBuckets = MetricName.valueBuckets
        return TocsinMetrics(registry: registry, factory: factory)
    }

    /// Metrics turned off: every handle does nothing.
    public static func disabled() -> TocsinMetrics {
        TocsinMetrics(registry: nil, factory: NOOPMetricsHandler.instance)
    }

    /// Whether the handles record anything.
    public var isEnabled: Bool {
        registry != nil
    }

    /// Every metric in the Prometheus text exposition format (version 0.0.4).
    public func render() -> [UInt8] {
        registry?.emitToBuffer() ?? []
    }
}
