// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import TocsinCore

/// `tocsin alerts`: what detections raised.
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "List alerts raised by detections and incident targets.",
        discussion: """
            Alerts are tocsin.alert.raised events in the log; the server groups them into incidents
            ('tocsin incidents'). Needs a key with the incidents:read permission (reader and up).
            """,
        subcommands: [List.self]
    )

    /// `tocsin alerts list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List alerts in log order, one per line, following pages up to --limit."
        )

        @OptionGroup var client: ClientOptions
        @Option(help: "Only alerts of this rule.") var rule: String?
        @Option(help: "Only these levels (comma-separated: informational, low, medium, high, critical).")
        var level: String?
        @Option(help: "Only alerts whose last event is at or after this time (RFC 3339).") var since: String?
        @Option(help: "Only alerts whose last event is before this time (RFC 3339).") var until: String?
        @Option(help: "Only alerts of this incident.") var incident: Int64?
        @Option(help: "Start after this alert sequence number.") var after: Int64?
        @Option(help: "The most alerts to print.") var limit: Int = 100
        @Option(help: "Output format: text or json (one alert per line).") var output: OutputFormat = .text

        func validate() throws {
            guard limit > 0 else {
                throw ValidationError("--limit must be at least 1")
            }
        }

        func run() async throws {
            let api = try client.makeClient()
            var cursor = after
            var printed = 0
            while printed < limit {
                let pairs: [(String, String?)] = [
                    ("rule", rule), ("level", level), ("since", since), ("until", until),
                    ("incident", incident.map { String($0) }), ("after", cursor.map { String($0) }),
                    ("limit", String(min(limit - printed, 1000))),
                ]
                let page = try await call { try await api.send(api.makeRequest("/v1/alerts" + queryString(pairs))) }
                guard case .array(let alerts)? = page["alerts"] else {
                    return
                }
                for alert in alerts {
                    print(output == .json ? JSONWriter().string(alert) : Self.line(alert))
                }
                printed += alerts.count
                guard case .number(let next)? = page["next"], let value = next.int64Value else {
                    return
                }
                cursor = value
            }
        }

        /// `seq  last-event-time  level  rule  title  incident N  ×count`.
        static func line(_ alert: JSONValue) -> String {
            let incident = alert["incident"].flatMap { $0 == .null ? nil : JSONWriter().string($0) }
            return [
                alert["seq"].map { JSONWriter().string($0) } ?? "?",
                alert["last_event_time"]?.stringValue ?? "-",
                alert["level"]?.stringValue ?? "?",
                alert["rule"]?.stringValue ?? "?",
                alert["title"]?.stringValue ?? "",
                incident.map { "incident \($0)" } ?? (alert["staged"] == .bool(true) ? "staged" : "-"),
                "×" + (alert["count"].map { JSONWriter().string($0) } ?? "1"),
            ]
            .joined(separator: "  ")
        }
    }
}
