// SPDX-License-Identifier: Apache-2.0

import CoreMetrics
import Synchronization

/// One node's view of the NATS JetStream cluster (`--backend nats`): the event stream's last
/// sequence, whether it has a leader, reconnects, publish retries, the publishes answered `503`,
/// whether it holds the chain lease and how far its chain trails the stream, whether its key ring
/// is suspended, and how many detection partitions it runs.
///
/// Every metric carries the `node` label (`--node-name`), so the series of several nodes scraped
/// into one Prometheus stay apart.
public final class ClusterMetrics: Sendable {
    private let factory: any MetricsFactory
    private let handles = Mutex<Handles?>(nil)
    private let node = Mutex("")
    private let reconnectTotal = Mutex(MonotonicTotal())

    private struct Handles {
        var lastSequence: Gauge
        var leaderKnown: Gauge
        var reconnects: Counter
        var publishRetries: Counter
        var unavailable: Counter
        var leaseHeld: Gauge
        var unchained: Gauge
        var chainHalted: Gauge
        var identitiesSuspended: Gauge
        var detectionPartitions: Gauge
    }

    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// Creates the handles with `node` as their label; call once, before anything is recorded
    /// (records before it are dropped).
    public func start(node: String) {
        let dimensions = [("node", node)]
        self.node.withLock { $0 = node }
        handles.withLock {
            $0 = Handles(
                lastSequence: Gauge(
                    label: MetricName.clusterStreamLastSequence,
                    dimensions: dimensions,
                    factory: factory
                ),
                leaderKnown: Gauge(label: MetricName.clusterStreamLeader, dimensions: dimensions, factory: factory),
                reconnects: Counter(label: MetricName.clusterReconnects, dimensions: dimensions, factory: factory),
                publishRetries: Counter(
                    label: MetricName.clusterPublishRetries,
                    dimensions: dimensions,
                    factory: factory
                ),
                unavailable: Counter(label: MetricName.clusterUnavailable, dimensions: dimensions, factory: factory),
                leaseHeld: Gauge(label: MetricName.clusterChainLeaseHeld, dimensions: dimensions, factory: factory),
                unchained: Gauge(label: MetricName.clusterChainUnchained, dimensions: dimensions, factory: factory),
                chainHalted: Gauge(label: MetricName.clusterChainHalted, dimensions: dimensions, factory: factory),
                identitiesSuspended: Gauge(
                    label: MetricName.clusterIdentitiesSuspended,
                    dimensions: dimensions,
                    factory: factory
                ),
                detectionPartitions: Gauge(
                    label: MetricName.clusterDetectionPartitions,
                    dimensions: dimensions,
                    factory: factory
                )
            )
        }
    }

    /// The stream's state as last read: its last sequence, and whether it had a leader (`nil` when
    /// the read failed, which counts as no leader and leaves the sequence as it was).
    public func stream(lastSequence: Int64?, hasLeader: Bool) {
        handles.withLock { handles in
            if let lastSequence {
                handles?.lastSequence.record(lastSequence)
            }
            handles?.leaderKnown.record(hasLeader ? 1 : 0)
        }
    }

    /// The connection's reconnect count since it opened.
    public func reconnects(total: Int) {
        let increment = reconnectTotal.withLock { $0.advance(to: total) }
        if increment > 0 {
            handles.withLock { $0?.reconnects.increment(by: Int64(increment)) }
        }
    }

    /// Counts messages published again after a transient failure (no stream leader, an ack timeout).
    public func publishRetried(messages: Int) {
        handles.withLock { $0?.publishRetries.increment(by: Int64(messages)) }
    }

    /// Counts an append given up after the publish wait (answered `503` with `Retry-After`).
    public func publishUnavailable() {
        handles.withLock { $0?.unavailable.increment() }
    }

    /// The chain as this node sees it: whether it holds the chain lease, and (while it does) how many
    /// stream records it has not chained yet; a follower records 0.
    public func chain(leaseHeld: Bool, unchainedRecords: Int64) {
        handles.withLock { handles in
            handles?.leaseHeld.record(leaseHeld ? 1 : 0)
            handles?.unchained.record(leaseHeld ? max(0, unchainedRecords) : 0)
        }
    }

    /// Whether this node's chainer halted and does not chain: a hole in the stream, or a chain store
    /// that does not hold what the node's witness file says it signed.
    public func chain(halted: Bool) {
        handles.withLock { $0?.chainHalted.record(halted ? 1 : 0) }
    }

    /// Whether the node's key ring is suspended (every credential answered `503`).
    public func identities(suspended: Bool) {
        handles.withLock { $0?.identitiesSuspended.record(suspended ? 1 : 0) }
    }

    /// How many detection partitions this node runs (holds the lease of).
    public func detection(partitions: Int) {
        handles.withLock { $0?.detectionPartitions.record(partitions) }
    }

    /// A shared consumer's state as this node last read it: the messages of its subjects not
    /// delivered yet (its lag), and those delivered more than once and not acknowledged yet.
    public func consumer(_ name: String, pending: UInt64, redelivered: Int64) {
        guard handles.withLock({ $0 != nil }) else {
            return
        }
        let dimensions = [("node", node.withLock { $0 }), ("consumer", name)]
        Gauge(label: MetricName.clusterConsumerPending, dimensions: dimensions, factory: factory)
            .record(Int64(clamping: pending))
        Gauge(label: MetricName.clusterConsumerRedelivered, dimensions: dimensions, factory: factory)
            .record(redelivered)
    }
}
