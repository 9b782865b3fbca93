// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinMetrics
import TocsinTesting

/// A cluster node's metrics (`--backend nats`): none before the node names itself, then each labelled
/// with the node.
struct ClusterMetricsTests {
    private func scrape(_ metrics: TocsinMetrics) -> PrometheusScrape {
        PrometheusScrape(String(decoding: metrics.render(), as: UTF8.self))
    }

    @Test("An embedded-store server exports no cluster metric")
    func noneWithoutCluster() {
        let metrics = TocsinMetrics.prometheus()
        metrics.cluster.publishUnavailable()
        metrics.cluster.stream(lastSequence: 5, hasLeader: true)
        metrics.cluster.chain(leaseHeld: true, unchainedRecords: 1)
        metrics.cluster.identities(suspended: true)
        metrics.cluster.consumer("tocsin-router", pending: 3, redelivered: 1)
        #expect(!scrape(metrics).families.contains { $0.hasPrefix("tocsin_cluster_") })
    }

    @Test("Each shared consumer's lag and redeliveries carry the node's and the consumer's names")
    func consumersLabelledByNodeAndConsumer() {
        let metrics = TocsinMetrics.prometheus()
        metrics.cluster.start(node: "b")
        metrics.cluster.consumer("tocsin-router", pending: 120, redelivered: 2)
        metrics.cluster.consumer("tocsin-deliver-686f6f6b", pending: 7, redelivered: 0)
        metrics.cluster.consumer("tocsin-router", pending: 0, redelivered: 0)
        let scraped = scrape(metrics)
        let router = ["node": "b", "consumer": "tocsin-router"]
        let hook = ["node": "b", "consumer": "tocsin-deliver-686f6f6b"]
        #expect(scraped.value("tocsin_cluster_consumer_pending", router) == 0)
        #expect(scraped.value("tocsin_cluster_consumer_redelivered", router) == 0)
        #expect(scraped.value("tocsin_cluster_consumer_pending", hook) == 7)
        #expect(scraped.value("tocsin_cluster_consumer_redelivered", hook) == 0)
    }

    @Test("A cluster node's stream, reconnects, retries and 503s carry its name")
    func labelledByNode() {
        let metrics = TocsinMetrics.prometheus()
        metrics.cluster.start(node: "a")
        let node = ["node": "a"]
        metrics.cluster.stream(lastSequence: 42, hasLeader: true)
        metrics.cluster.reconnects(total: 2)
        metrics.cluster.reconnects(total: 3)
        metrics.cluster.publishRetried(messages: 4)
        metrics.cluster.publishUnavailable()
        var scraped = scrape(metrics)
        #expect(scraped.value("tocsin_cluster_stream_last_sequence", node) == 42)
        #expect(scraped.value("tocsin_cluster_stream_leader_known", node) == 1)
        #expect(scraped.value("tocsin_cluster_reconnects_total", node) == 3)
        #expect(scraped.value("tocsin_cluster_publish_retries_total", node) == 4)
        #expect(scraped.value("tocsin_cluster_publish_unavailable_total", node) == 1)
        metrics.cluster.chain(leaseHeld: true, unchainedRecords: 17)
        metrics.cluster.chain(halted: true)
        metrics.cluster.identities(suspended: true)
        scraped = scrape(metrics)
        #expect(scraped.value("tocsin_cluster_chain_halted", node) == 1)
        #expect(scraped.value("tocsin_cluster_chain_lease_held", node) == 1)
        #expect(scraped.value("tocsin_cluster_chain_unchained_records", node) == 17)
        #expect(scraped.value("tocsin_cluster_identities_suspended", node) == 1)
        // A follower chains nothing, so nothing trails on it.
        metrics.cluster.chain(leaseHeld: false, unchainedRecords: 17)
        metrics.cluster.chain(halted: false)
        metrics.cluster.identities(suspended: false)
        scraped = scrape(metrics)
        #expect(scraped.value("tocsin_cluster_chain_halted", node) == 0)
        #expect(scraped.value("tocsin_cluster_chain_lease_held", node) == 0)
        #expect(scraped.value("tocsin_cluster_chain_unchained_records", node) == 0)
        #expect(scraped.value("tocsin_cluster_identities_suspended", node) == 0)
        // A failed read shows no leader and keeps the last sequence.
        metrics.cluster.stream(lastSequence: nil, hasLeader: false)
        scraped = scrape(metrics)
        #expect(scraped.value("tocsin_cluster_stream_leader_known", node) == 0)
        #expect(scraped.value("tocsin_cluster_stream_last_sequence", node) == 42)
    }
}
