// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOHTTP1
import Testing
import TocsinCore
import TocsinTesting

/// `GET /metrics` against a real `tocsin serve`: each kind of event moves its metric, the scrape
/// carries every metric the docs and the Grafana dashboard name, and `--metrics-auth` guards it.
struct MetricsServeTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A webhook target on a closed port (one attempt, breaker opens on the first failure), a rule
    /// routing to it, and a threshold rule that alerts on the second failed login of a user.
    static func rules(deadPort: Int) -> String {
        """
        targets:
          dead:
            kind: webhook
            url: http://127.0.0.1:\(deadPort)/hook
            retry: {max_attempts: 1}
            circuit_breaker: {failure_threshold: 1}
        rules:
          to-dead:
            pattern: {type: [app.fail]}
            targets: [{target: dead}]
          login-burst:
            pattern: {type: [app.login.failed]}
            threshold: {count: 2, within_seconds: 60, group_by: [$.data.user]}
            targets: [{target: dead}]
        """
    }

    static func scrape(_ server: ServerProcess, headers: [(String, String)] = []) async throws -> PrometheusScrape {
        let answer = try await call(server.baseURL + "/metrics", headers: headers)
        guard answer.status == 200 else {
            throw HarnessError(description: "GET /metrics: \(answer.status)")
        }
        return PrometheusScrape(String(decoding: answer.body, as: UTF8.self))
    }

    @Test(.timeLimit(.minutes(3))) func eachEventMovesItsMetric() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let rules = directory.path + "/rules"
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        let deadPort = try await SyslogClient.freePort(udp: false)
        try Data(Self.rules(deadPort: deadPort).utf8).write(to: URL(fileURLWithPath: rules + "/metrics.yaml"))
        let udp = try await SyslogClient.freePort(udp: true)
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: ["--rules-dir", rules, "--syslog-udp", "127.0.0.1:\(udp)", "--syslog-allow", "127.0.0.1/32"]
        )
        defer { Task { _ = await server.terminate() } }
        let before = try await Self.scrape(server)
        #expect(before.value("tocsin_ingest_events_total") == 0)

        _ = try await server.publish(type: "app.login.failed", ids: ["l1", "l2"]) { _ in #"{"user":"alice"}"# }
        _ = try await server.publish(type: "app.fail", ids: ["f1"])
        _ = try await server.publish(type: "app.fail", ids: ["f1"])
        let denied = try await call(server.baseURL + "/v1/events")
        #expect(denied.status == 401)
        try await SyslogClient.sendUDP([Array("<38>Nov 25 10:00:01 host app[1]: hello".utf8)], port: udp)
        try await SyslogClient.sendUDP(
            [Array("<38>Nov 25 10:00:02 host app[2]: outsider".utf8)],
            port: udp,
            from: "127.0.0.2"
        )

        let after = try await server.eventually({ try await Self.scrape(server) }) { Self.hasSettled($0) }
        // Ingest: events by endpoint and result, requests by route template and status, batch sizes.
        #expect(after.value("tocsin_ingest_events_total", ["endpoint": "events", "result": "stored"]) == 3)
        #expect(after.value("tocsin_ingest_events_total", ["endpoint": "events", "result": "duplicate"]) == 1)
        #expect(after.value("tocsin_ingest_batch_events_count") == 3)
        #expect(
            after.value("tocsin_http_requests_total", ["route": "/v1/events", "method": "POST", "status": "202"]) == 3
        )
        #expect(
            after.value("tocsin_http_requests_total", ["route": "/v1/events", "method": "GET", "status": "401"]) == 1
        )
        #expect(after.value("tocsin_http_request_duration_seconds_count", ["route": "/v1/events"]) >= 4)
        // Access: the refused request, by reason.
        #expect(after.value("tocsin_auth_denials_total", ["reason": "unknown-key"]) == 1)
        // Log: the head and the group commits that reached it.
        #expect(after.value("tocsin_log_head_sequence") >= 4)
        #expect(after.value("tocsin_log_commit_events_sum") >= 4)
        #expect(after.value("tocsin_log_commit_duration_seconds_count") >= 1)
        #expect(after.value("tocsin_log_size_bytes") > 0)
        // Routing: events read and matches per rule.
        #expect(after.value("tocsin_router_events_total") >= 3)
        #expect(after.value("tocsin_rule_matches_total", ["rule": "to-dead"]) == 1)
        // Delivery: the dead target's attempt, its open breaker and the dead letter.
        #expect(after.value("tocsin_delivery_attempt_duration_seconds_count", ["target": "dead"]) >= 1)
        #expect(after.value("tocsin_delivery_breaker_open", ["target": "dead"]) == 1)
        #expect(after.value("tocsin_dlq_depth") >= 1)
        // Syslog: the allowed line received, the outsider's datagram dropped.
        #expect(after.value("tocsin_syslog_dropped_total", ["reason": "not-allowed"]) == 1)
        // Detection: the threshold's state holds alice's group.
        #expect(after.value("tocsin_detection_groups") >= 1)

        // Docs cannot rot: every metric docs/metrics.md lists and the dashboard queries is scraped.
        let documented = try Self.metricNames(in: "docs/metrics.md")
        let dashboard = try Self.metricNames(in: "deploy/grafana/tocsin.json")
        #expect(documented.count >= 20 && !dashboard.isEmpty)
        let families = after.families
        #expect(documented.subtracting(families).isEmpty, "documented but not exported")
        #expect(dashboard.subtracting(families).isEmpty, "queried by the dashboard but not exported")
        let exported = Set(after.types.keys.filter { $0.hasPrefix("tocsin_") })
        #expect(exported.subtracting(documented).isEmpty, "exported but not documented")
    }

    @Test(.timeLimit(.minutes(2))) func metricsAuthNeedsTheMetricsPermission() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: ["--metrics-auth"]
        )
        defer { Task { _ = await server.terminate() } }
        func key(_ name: String, role: String) async throws -> String {
            let answer = try await call(
                server.baseURL + "/v1/keys",
                method: .POST,
                headers: [server.authorization, ("content-type", "application/json")],
                body: Array(#"{"name":"\#(name)","roles":["\#(role)"]}"#.utf8)
            )
            return try #require(answer.json?["key"]?.stringValue)
        }
        let scraper = try await key("prometheus", role: "metrics")
        let producer = try await key("producer", role: "publisher")
        #expect(try await call(server.baseURL + "/metrics").status == 401)
        #expect(
            try await call(server.baseURL + "/metrics", headers: [("Authorization", "Bearer \(producer)")]).status
                == 403
        )
        let scraped = try await Self.scrape(server, headers: [("Authorization", "Bearer \(scraper)")])
        #expect(scraped.value("tocsin_auth_denials_total", ["reason": "unknown-key"]) == 1)
        #expect(scraped.value("tocsin_auth_denials_total", ["reason": "forbidden"]) == 1)
        _ = try await Self.scrape(server, headers: [server.authorization])
        // The metrics role reads nothing else.
        #expect(
            try await call(server.baseURL + "/v1/events", headers: [("Authorization", "Bearer \(scraper)")]).status
                == 403
        )
    }

    @Test(.timeLimit(.minutes(2))) func noMetricsServesNoScrape() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await ServerProcess.start(dataDirectory: directory.path + "/data", arguments: ["--no-metrics"])
        defer { Task { _ = await server.terminate() } }
        #expect(try await call(server.baseURL + "/metrics").status == 404)
        #expect(try await call(server.baseURL + "/healthz").status == 200)
    }

    @Test(.timeLimit(.minutes(2))) func noConsoleServesNoPages() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            environment: ["TOCSIN_NO_CONSOLE": "1"]
        )
        defer { Task { _ = await server.terminate() } }
        #expect(try await call(server.baseURL + "/ui/login").status == 404)
        #expect(try await call(server.baseURL + "/ui/assets/console.css").status == 404)
        #expect(try await call(server.baseURL + "/healthz").status == 200)
    }

    /// Whether the scrape shows the dead letter, the alert and the syslog line.
    static func hasSettled(_ scrape: PrometheusScrape) -> Bool {
        let deadLettered = scrape.value("tocsin_deliveries_total", ["target": "dead", "outcome": "dead_lettered"])
        let alerts = scrape.value("tocsin_detection_alerts_total")
        let syslog = scrape.value("tocsin_ingest_events_total", ["endpoint": "syslog"])
        let dead = scrape.value("tocsin_dlq_depth")
        return deadLettered >= 1 && dead >= 1 && alerts >= 1 && syslog >= 1
    }

    /// The `tocsin_*` metric names a file mentions.
    static func metricNames(in path: String) throws -> Set<String> {
        let text = try String(contentsOf: repository.appendingPathComponent(path), encoding: .utf8)
        let pattern = try Regex(#"tocsin_[a-z_]+[a-z]"#)
        return Set(text.matches(of: pattern).map { String(text[$0.range]) })
    }
}
