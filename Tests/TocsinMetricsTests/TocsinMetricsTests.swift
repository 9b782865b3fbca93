// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinMetrics
import TocsinTesting

@Suite("Metrics")
struct TocsinMetricsTests {
    @Test(
        "A running total that restarts becomes increments of a counter that never goes down",
        arguments: [
            ([3, 5, 5, 9], [3, 2, 0, 4]),
            ([4, 1, 2], [4, 1, 1]),
            ([0, 0], [0, 0]),
        ]
    )
    func monotonicTotal(totals: [Int], increments: [Int]) {
        var total = MonotonicTotal()
        #expect(totals.map { total.advance(to: $0) } == increments)
    }

    @Test("Two servers in one process keep counters of their own")
    func separateRegistries() {
        let first = TocsinMetrics.prometheus()
        let second = TocsinMetrics.prometheus()
        first.access.denied(.forbidden)
        first.access.denied(.forbidden)
        let denials = "tocsin_auth_denials_total"
        #expect(scrape(first).value(denials, ["reason": "forbidden"]) == 2)
        #expect(scrape(second).value(denials, ["reason": "forbidden"]) == 0)
    }

    @Test("Requests are counted by route template, method and status")
    func requestLabels() {
        let metrics = TocsinMetrics.prometheus()
        let route = metrics.http.route(method: "GET", route: "/v1/events/{seq}")
        route.record(status: 200, nanoseconds: 1_000)
        route.record(status: 404, nanoseconds: 1_000)
        route.record(status: 200, nanoseconds: 1_000)
        metrics.http.route(method: "PATCH", route: nil).record(status: 404, nanoseconds: 1_000)
        let text = scrape(metrics)
        let requests = "tocsin_http_requests_total"
        #expect(text.value(requests, ["route": "/v1/events/{seq}", "method": "GET", "status": "200"]) == 2)
        #expect(text.value(requests, ["route": "/v1/events/{seq}", "status": "404"]) == 1)
        #expect(text.value(requests, ["route": "unmatched", "method": "any"]) == 1)
        #expect(text.value("tocsin_http_request_duration_seconds_count", ["route": "/v1/events/{seq}"]) == 3)
    }

    @Test("Ingest counts stored and duplicate events; only /v1/events requests feed the batch histogram")
    func ingestCounts() {
        let metrics = TocsinMetrics.prometheus()
        metrics.ingest.accepted(.events, stored: 3, duplicates: 1)
        metrics.ingest.accepted(.sources, stored: 10, duplicates: 0)
        let text = scrape(metrics)
        let events = "tocsin_ingest_events_total"
        #expect(text.value(events, ["endpoint": "events", "result": "stored"]) == 3)
        #expect(text.value(events, ["endpoint": "events", "result": "duplicate"]) == 1)
        #expect(text.value(events, ["endpoint": "sources", "result": "stored"]) == 10)
        #expect(text.value("tocsin_ingest_batch_events_count") == 1)
        #expect(text.value("tocsin_ingest_batch_events_sum") == 4)
    }

    @Test("Detection totals that restart after a rebuild never make the counters go down")
    func detectionTotals() {
        let metrics = TocsinMetrics.prometheus()
        metrics.detection.observed(groups: 7, evicted: 2, late: 5, alerts: 1)
        metrics.detection.observed(groups: 3, evicted: 1, late: 6, alerts: 0)
        let text = scrape(metrics)
        #expect(text.value("tocsin_detection_groups") == 3)
        #expect(text.value("tocsin_detection_evictions_total") == 3)
        #expect(text.value("tocsin_detection_late_events_total") == 6)
        #expect(text.value("tocsin_detection_alerts_total") == 1)
    }

    @Test("Turned off, metrics render nothing")
    func disabled() {
        let metrics = TocsinMetrics.disabled()
        metrics.access.denied(.forbidden)
        metrics.delivery.outcome(.succeeded, target: "hook")
        #expect(!metrics.isEnabled)
        #expect(metrics.render().isEmpty)
    }

    @Test("The scrape parser reads labels with escaped quotes and histogram series")
    func parser() {
        let text = PrometheusScrape(
            """
            # TYPE a_total counter
            a_total{rule="say \\"hi\\"",x="1"} 4
            # TYPE h histogram
            h_bucket{le="0.5"} 2
            h_count 2
            """
        )
        #expect(text.value("a_total", ["rule": "say \"hi\""]) == 4)
        #expect(text.value("a_total", ["x": "1"]) == 4)
        #expect(text.types == ["a_total": "counter", "h": "histogram"])
        #expect(text.value("h_bucket", ["le": "0.5"]) == 2)
    }

    private func scrape(_ metrics: TocsinMetrics) -> PrometheusScrape {
        PrometheusScrape(String(decoding: metrics.render(), as: UTF8.self))
    }
}
