// SPDX-License-Identifier: Apache-2.0

/// The name of every metric Tocsin exports, and the buckets of its histograms.
///
/// Names follow the Prometheus conventions: the `tocsin_` prefix, `_total` on counters, base units
/// (`_seconds`, `_bytes`) in the name.
enum MetricName {
    static let httpRequests = "tocsin_http_requests_total"
    static let httpRequestDuration = "tocsin_http_request_duration_seconds"
    static let ingestEvents = "tocsin_ingest_events_total"
    static let ingestBatchEvents = "tocsin_ingest_batch_events"
    static let logHeadSequence = "tocsin_log_head_sequence"
    static let logSize = "tocsin_log_size_bytes"
    static let logCommitEvents = "tocsin_log_commit_events"
    static let logCommitDuration = "tocsin_log_commit_duration_seconds"
    static let routerEvents = "tocsin_router_events_total"
    static let routerLag = "tocsin_router_lag_events"
    static let ruleMatches = "tocsin_rule_matches_total"
    static let deliveries = "tocsin_deliveries_total"
    static let deliveryAttemptDuration = "tocsin_delivery_attempt_duration_seconds"
    static let breakerOpen = "tocsin_delivery_breaker_open"
    static let dlqDepth = "tocsin_dlq_depth"
    static let detectionGroups = "tocsin_detection_groups"
    static let detectionEvictions = "tocsin_detection_evictions_total"
    static let detectionLateEvents = "tocsin_detection_late_events_total"
    static let detectionAlerts = "tocsin_detection_alerts_total"
    static let clusterStreamLastSequence = "tocsin_cluster_stream_last_sequence"
    static let clusterStreamLeader = "tocsin_cluster_stream_leader_known"
    static let clusterReconnects = "tocsin_cluster_reconnects_total"
    static let clusterPublishRetries = "tocsin_cluster_publish_retries_total"
    static let clusterUnavailable = "tocsin_cluster_publish_unavailable_total"
    static let clusterChainLeaseHeld = "tocsin_cluster_chain_lease_held"
    static let clusterChainUnchained = "tocsin_cluster_chain_unchained_records"
    static let clusterChainHalted = "tocsin_cluster_chain_halted"
    static let clusterIdentitiesSuspended = "tocsin_cluster_identities_suspended"
    static let clusterConsumerPending = "tocsin_cluster_consumer_pending"
    static let clusterDetectionPartitions = "tocsin_cluster_detection_partitions"
    static let clusterConsumerRedelivered = "tocsin_cluster_consumer_redelivered"
    static let authDenials = "tocsin_auth_denials_total"
    static let syslogLines = "tocsin_syslog_lines_total"
    static let syslogDropped = "tocsin_syslog_dropped_total"

    /// Latency buckets: request and commit times are sub-millisecond to seconds; delivery attempts
    /// reach the targets' timeouts.
    static let durationBuckets: [String: [Duration]] = [
        httpRequestDuration: fast,
        logCommitDuration: fast,
        deliveryAttemptDuration: [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
            .seconds(30),
        ],
    ]

    /// Size buckets: events per request and per group commit.
    static let valueBuckets: [String: [Double]] = [
        ingestBatchEvents: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
        logCommitEvents: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2000, 4096],
    ]

    private static let fast: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2500),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
    ]
}
