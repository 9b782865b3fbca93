// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinActions
import TocsinConfig
import TocsinCore
import TocsinRules
import TocsinTesting

@testable import TocsinRuntime

/// The replay engine over in-memory events: what it counts for each selection, and that the same
/// events always give the same report.
struct ReplayEngineTests {
    static let rules = """
        targets:
          pager: {kind: webhook, url: "http://127.0.0.1:9/pager"}
          archive: {kind: webhook, url: "http://127.0.0.1:9/archive"}
        rules:
          console-login:
            pattern: {type: [aws.signin]}
            targets: [{target: pager}, {target: archive}]
          ssh-bruteforce:
            pattern: {type: [ssh.login.failed]}
            threshold: {count: 3, within_seconds: 60, group_by: [$.data.ip]}
            targets: [{target: pager}]
        """

    static func table() throws -> RoutingTable {
        let directory = ConfigDirectory(files: [(name: "rules.yaml", text: rules)], kinds: ActionRegistry.targetKinds)
        #expect(directory.diagnostics.isEmpty)
        return try RoutingTable(rules: directory.rules, targets: directory.targets, sigma: directory.sigma)
    }

    /// An event of `type` at `second` seconds past a fixed minute, logged at `sequence`.
    static func logged(_ sequence: Int64, _ type: String, ip: String = "203.0.113.9", second: Int64) -> LoggedEvent {
        let time = 1_795_000_000_000 + second * 1000
        return LoggedEvent(
            sequence: sequence,
            event: CloudEvent(
                id: "e\(sequence)",
                source: "/test",
                type: type,
                time: Timestamp(epochMilliseconds: time),
                data: .json(Array(#"{"ip":"\#(ip)"}"#.utf8))
            ),
            ingestMilliseconds: time,
            hash: []
        )
    }

    /// Two sign-ins, four SSH failures from one address (one alert at the third), two from another,
    /// and Tocsin's own records of a past alert, delivery and replay.
    static let history: [LoggedEvent] = [
        logged(1, "aws.signin", second: 0),
        logged(2, "ssh.login.failed", second: 1),
        logged(3, "ssh.login.failed", second: 2),
        logged(4, "ssh.login.failed", ip: "198.51.100.7", second: 3),
        logged(5, "ssh.login.failed", second: 4),
        logged(6, "tocsin.alert.raised", second: 5),
        logged(7, "tocsin.delivery.succeeded", second: 6),
        logged(8, "tocsin.replay.started", second: 7),
        logged(9, "aws.signin", second: 8),
        logged(10, "ssh.login.failed", ip: "198.51.100.7", second: 9),
        logged(11, "ssh.login.failed", second: 10),
    ]

    static func run(_ selection: ReplaySelection, events: [LoggedEvent] = history) throws -> ShadowReport {
        var engine = try ReplayEngine(table: try table(), selection: selection)
        for event in events {
            engine.process(event)
        }
        return engine.report
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let selection: ReplaySelection
        let replayed: Int
        let rules: [String: ShadowReport.RuleCounts]
        let targets: [String: ShadowReport.TargetCounts]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "every rule and target",
            selection: ReplaySelection(),
            replayed: 10,
            rules: [
                "console-login": .init(matched: 2, alerts: 0, deliveries: 4),
                "ssh-bruteforce": .init(matched: 0, alerts: 1, deliveries: 1),
            ],
            targets: ["pager": .init(deliveries: 3, dryRuns: 0), "archive": .init(deliveries: 2, dryRuns: 0)]
        ),
        Case(
            name: "one detection rule",
            selection: ReplaySelection(rules: ["ssh-bruteforce"]),
            replayed: 10,
            rules: ["ssh-bruteforce": .init(matched: 0, alerts: 1, deliveries: 1)],
            targets: ["pager": .init(deliveries: 1, dryRuns: 0)]
        ),
        Case(
            name: "one target: matches still count, deliveries only to it",
            selection: ReplaySelection(targets: ["archive"]),
            replayed: 10,
            rules: [
                "console-login": .init(matched: 2, alerts: 0, deliveries: 2),
                "ssh-bruteforce": .init(matched: 0, alerts: 1, deliveries: 0),
            ],
            targets: ["archive": .init(deliveries: 2, dryRuns: 0)]
        ),
        Case(
            name: "a pattern keeps only the SSH failures",
            selection: ReplaySelection(pattern: try? EventPattern(text: #"{"type": ["ssh.login.failed"]}"#)),
            replayed: 6,
            rules: ["ssh-bruteforce": .init(matched: 0, alerts: 1, deliveries: 1)],
            targets: ["pager": .init(deliveries: 1, dryRuns: 0)]
        ),
        Case(
            name: "a pattern that keeps nothing",
            selection: ReplaySelection(pattern: try? EventPattern(text: #"{"type": ["nothing"]}"#)),
            replayed: 0,
            rules: [:],
            targets: [:]
        ),
    ]

    @Test("counts per rule and target", arguments: cases)
    func counts(_ testCase: Case) throws {
        let report = try Self.run(testCase.selection)
        #expect(report.events == Self.history.count)
        #expect(report.replayed == testCase.replayed)
        #expect(report.rules == testCase.rules)
        #expect(report.targets == testCase.targets)
    }

    @Test("the alert is raised at the third failure from one address (sequence 5), with its evidence")
    func alertExample() throws {
        let report = try Self.run(ReplaySelection())
        let alert = try #require(report.alertExamples.first)
        #expect(report.alertExamples.count == 1)
        #expect(alert.sequence == 5 && alert.rule == "ssh-bruteforce")
        #expect(alert.alert?["evidence"] == .array([2, 3, 5].map { .number(JSONNumber(Int64($0))) }))
        #expect(report.deliveryExamples.map(\.sequence) == report.deliveryExamples.map(\.sequence).sorted())
    }

    @Test("examples stop at the limit, in sequence order")
    func examplesLimit() throws {
        let report = try Self.run(ReplaySelection(examples: 1))
        #expect(report.matchExamples.map(\.sequence) == [1])
        #expect(report.deliveryExamples.count == 1)
        let none = try Self.run(ReplaySelection(examples: 0))
        #expect(none.matchExamples.isEmpty && none.alertExamples.isEmpty && none.deliveryExamples.isEmpty)
    }

    @Test("the same events twice give the same report, alerts in the same order")
    func deterministic() throws {
        var random = SeededRandom(seed: 16)
        var events: [LoggedEvent] = []
        for sequence in Int64(1)...3000 {
            let type = ["ssh.login.failed", "aws.signin", "other"][Int(random.next() % 3)]
            let ip = "10.0.0.\(random.next() % 8)"
            events.append(Self.logged(sequence, type, ip: ip, second: sequence / 4))
        }
        let selection = ReplaySelection(examples: 100)
        let first = try Self.run(selection, events: events)
        let second = try Self.run(selection, events: events)
        #expect(first.rules["ssh-bruteforce", default: .init()].alerts > 10)
        #expect(first == second)
        #expect(JSONWriter().string(first.json) == JSONWriter().string(second.json))
    }
}
