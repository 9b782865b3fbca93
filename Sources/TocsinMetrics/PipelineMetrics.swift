// SPDX-License-Identifier: Apache-2.0

import CoreMetrics
public import TocsinCore

/// Events accepted by the ingestion endpoints, and how many each request carried.
public struct IngestMetrics: Sendable {
    /// Where events come in.
    public enum Endpoint: Sendable {
        /// `POST /v1/events`.
        case events
        /// `POST /v1/sources/{format}`.
        case sources
        /// Syslog over UDP or TCP.
        case syslog
    }

    /// Per endpoint: events stored, and duplicates acknowledged without being stored again.
    private let counters: [(stored: Counter, duplicate: Counter)]
    private let batchEvents: Recorder

    init(factory: any MetricsFactory) {
        counters = ["events", "sources", "syslog"].map { endpoint in
            (
                Counter(
                    label: MetricName.ingestEvents,
                    dimensions: [("endpoint", endpoint), ("result", "stored")],
                    factory: factory
                ),
                Counter(
                    label: MetricName.ingestEvents,
                    dimensions: [("endpoint", endpoint), ("result", "duplicate")],
                    factory: factory
                )
            )
        }
        batchEvents = Recorder(label: MetricName.ingestBatchEvents, factory: factory)
    }

    /// Counts the events one request appended: `stored` new, `duplicates` already in the log.
    public func accepted(_ endpoint: Endpoint, stored: Int, duplicates: Int) {
        let pair = counters[Self.index(endpoint)]
        if stored > 0 {
            pair.stored.increment(by: Int64(stored))
        }
        if duplicates > 0 {
            pair.duplicate.increment(by: Int64(duplicates))
        }
        if endpoint == .events {
            batchEvents.record(stored + duplicates)
        }
    }

    private static func index(_ endpoint: Endpoint) -> Int {
        switch endpoint {
        case .events: 0
        case .sources: 1
        case .syslog: 2
        }
    }
}

/// The log writer: events per group commit, how long each commit (and its fsync) took, and the head.
public struct LogMetrics: Sendable {
    private let commitEvents: Recorder
    private let commitDuration: Timer
    private let headSequence: Gauge
    private let size: Gauge

    init(factory: any MetricsFactory) {
        commitEvents = Recorder(label: MetricName.logCommitEvents, factory: factory)
        commitDuration = Timer(label: MetricName.logCommitDuration, factory: factory)
        headSequence = Gauge(label: MetricName.logHeadSequence, factory: factory)
        size = Gauge(label: MetricName.logSize, factory: factory)
    }

    /// Records one committed transaction of `events` records that took `nanoseconds`, ending at `head`.
    public func committed(events: Int, nanoseconds: Int64, head: Int64) {
        commitEvents.record(events)
        commitDuration.recordNanoseconds(nanoseconds)
        headSequence.record(head)
    }

    /// Sets the head of the chain (at start, before the first commit).
    public func head(_ sequence: Int64) {
        headSequence.record(sequence)
    }

    /// Sets the size of the log's database files, read when scraped.
    public func sizeBytes(_ bytes: Int64) {
        size.record(bytes)
    }
}

/// Refused API requests, by reason.
public struct AccessMetrics: Sendable {
    private let denials: [DenialReason: Counter]

    init(factory: any MetricsFactory) {
        var denials: [DenialReason: Counter] = [:]
        for reason in DenialReason.allCases {
            denials[reason] = Counter(
                label: MetricName.authDenials,
                dimensions: [("reason", reason.rawValue)],
                factory: factory
            )
        }
        self.denials = denials
    }

    /// Counts one refused request.
    public func denied(_ reason: DenialReason) {
        denials[reason]?.increment()
    }
}

/// Syslog lines received, and lines or senders dropped.
public struct SyslogMetrics: Sendable {
    /// Why syslog input was dropped.
    public enum Drop: String, Sendable, CaseIterable {
        /// A line that is not a syslog message.
        case malformed
        /// A UDP datagram that arrived while the backlog was full.
        case backlogFull = "backlog-full"
        /// A datagram or connection from a sender not on the allow list.
        case notAllowed = "not-allowed"
        /// A TCP connection over the connection cap.
        case connectionCap = "connection-cap"
    }

    private let lines: Counter
    private let drops: [Drop: Counter]

    init(factory: any MetricsFactory) {
        lines = Counter(label: MetricName.syslogLines, factory: factory)
        var drops: [Drop: Counter] = [:]
        for drop in Drop.allCases {
            drops[drop] = Counter(
                label: MetricName.syslogDropped,
                dimensions: [("reason", drop.rawValue)],
                factory: factory
            )
        }
        self.drops = drops
    }

    /// Counts lines read from senders on the allow list.
    public func received(_ count: Int) {
        lines.increment(by: Int64(count))
    }

    /// Counts one dropped line, datagram or connection.
    public func dropped(_ reason: Drop) {
        drops[reason]?.increment()
    }
}
