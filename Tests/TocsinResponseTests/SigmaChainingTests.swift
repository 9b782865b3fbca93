// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinConfig
import TocsinCore
import TocsinDetect

/// Sigma correlations whose `rules:` name other correlations: the inner alerts feed the outer one on
/// the event time of their last evidence, in the server's tables, and cycles are refused, located.
struct SigmaChainingTests {
    static let failure = """
        title: Console login failed
        id: failed-login
        logsource: {product: aws, service: cloudtrail}
        detection:
          selection: {eventName: ConsoleLogin, errorMessage: Failed authentication}
          condition: selection
        """

    static func correlations(innerGenerates: Bool = false) -> String {
        """
        title: Three failures within a minute
        name: burst
        correlation:
          type: event_count
          rules: [failed-login]
          group-by: [userIdentity.userName]
          timespan: 1m
          condition: {gte: 3}
        ---
        title: Two bursts within ten minutes
        id: repeated-bursts
        level: high
        correlation:
          type: event_count
          rules: [burst]
          group-by: [userIdentity.userName]
          timespan: 10m
          condition: {gte: 2}
          generate: \(innerGenerates)
        """
    }

    static func failure(_ user: String, second: Int) -> String {
        let time = "2026-11-25T10:\(String(format: "%02d:%02d", second / 60, second % 60))Z"
        return #"{"source": "/aws/cloudtrail/eu-west-1", "type": "aws.cloudtrail.ConsoleLogin", "time": "\#(time)", "#
            + #""data": {"eventName": "ConsoleLogin", "errorMessage": "Failed authentication", "userIdentity": {"userName": "\#(user)"}}}"#
    }

    func load(_ files: [(String, String)]) -> ConfigDirectory {
        ConfigDirectory(files: files.map { (name: $0.0, text: $0.1) })
    }

    /// Runs `events` through the directory's detections; returns each alert as `rule group evidence`.
    func run(_ directory: ConfigDirectory, _ events: [String], replayThrough: Int64? = nil) throws -> [String] {
        let table = DetectionTable(rules: directory.rules, sigma: directory.sigma)
        var engines = try DetectionEngines(table: table)
        if let replayThrough {
            engines.beginReplay(through: replayThrough)
        }
        let context = DetectionContext()
        var found: [String] = []
        for (index, text) in events.enumerated() {
            let event = try JSONParser().parse(text)
            let time = DetectionEngines.time(of: event, fallback: 0)
            let raised = engines.observe(
                table.evaluate(event, context: context),
                sequence: Int64(index + 1),
                time: time
            )
            found += raised.map { "\($0.source.name) \($0.alert.group.joined()) \($0.alert.evidence)" }
        }
        return found
    }

    /// Two bursts of three failures for alice (a minute apart), one burst for bob.
    static let events =
        [0, 5, 10].map { failure("alice", second: $0) } + [20, 25, 30].map { failure("bob", second: $0) }
        + [70, 75, 80].map { failure("alice", second: $0) }

    @Test func innerAlertsFeedTheOuterCorrelation() throws {
        let directory = load([("chain.yml", Self.failure + "\n---\n" + Self.correlations())])
        #expect(directory.diagnostics.isEmpty)
        let table = DetectionTable(rules: [], sigma: directory.sigma)
        #expect(table.rules.map(\.id) == ["burst", "repeated-bursts"], "the inner correlation runs first")
        // The outer counts the inner alerts at their last evidence (sequence 3 and 9); the inner
        // alerts and the detection rule's matches are not raised on their own.
        #expect(try run(directory, Self.events) == ["repeated-bursts alice [3, 9]"])
        // Replaying through the fifth event rebuilds the chain's state silently.
        #expect(try run(directory, Self.events, replayThrough: 5) == ["repeated-bursts alice [3, 9]"])
        #expect(try run(directory, Self.events, replayThrough: 9) == [])
    }

    @Test func generateRaisesTheInnerAlertsToo() throws {
        let directory = load([("chain.yml", Self.failure + "\n---\n" + Self.correlations(innerGenerates: true))])
        #expect(
            try run(directory, Self.events) == [
                "burst alice [1, 2, 3]", "burst bob [4, 5, 6]", "burst alice [7, 8, 9]", "repeated-bursts alice [3, 9]",
            ]
        )
    }

    @Test func theOuterCorrelationsReachAddsTheInnerOnes() throws {
        let directory = load([("chain.yml", Self.failure + "\n---\n" + Self.correlations())])
        let table = DetectionTable(rules: [], sigma: directory.sigma)
        // Inner: 60 s window + 60 s suppression; outer adds 600 s + 600 s on top.
        #expect(table.replayHorizon == 1_320_000)
    }

    @Test func cyclesAreRefusedWithTheirLocation() {
        let cycle = """
            title: A
            name: a
            correlation: {type: event_count, rules: [b], group-by: [u], timespan: 1m, condition: {gte: 2}}
            ---
            title: B
            name: b
            correlation: {type: event_count, rules: [a], group-by: [u], timespan: 1m, condition: {gte: 2}}
            """
        let directory = load([("loop.yml", Self.failure + "\n---\n" + cycle)])
        #expect(
            directory.diagnostics.map(\.description) == [
                "loop.yml:8:1: $.correlation.rules: A: correlations refer to each other in a cycle (a -> b -> a); a chain must end at detection rules",
                "loop.yml:12:1: $.correlation.rules: B: correlations refer to each other in a cycle (a -> b -> a); a chain must end at detection rules",
            ]
        )
        #expect(DetectionTable(rules: [], sigma: directory.sigma).rules.isEmpty, "a cycle never runs")
    }

    @Test func backtestTablesTakeTheWholeChain() throws {
        let directory = load([("chain.yml", Self.failure + "\n---\n" + Self.correlations())])
        let table = try DetectionTable.only("repeated-bursts", rules: [], sigma: directory.sigma)
        #expect(table.rules.map(\.id) == ["burst", "repeated-bursts"])
        #expect(table.sigmaSources.map(\.name) == ["failed-login"])
    }
}
