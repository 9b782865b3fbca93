// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinConfig
import TocsinCore
import TocsinDetect
import TocsinRules

/// Pattern rules with a `threshold`: how they are read, which events they count, and where their
/// alerts go (their matches are not routed one by one).
struct ThresholdRuleTests {
    static let bruteForce = #"""
        {"pattern": {"type": ["ssh.login.failed"]},
         "threshold": {"count": 5, "within_seconds": 60, "group_by": ["$.ocsf.src_endpoint.ip"], "allowed_lateness_seconds": 5},
         "description": "SSH brute force",
         "targets": [{"target": "edge"}]}
        """#

    func rule(_ name: String, _ text: String) throws -> RuleDefinition {
        try RuleDefinition(name: name, json: JSONParser().parse(text))
    }

    func diagnostics(_ text: String) -> [String] {
        do {
            _ = try rule("r", text)
            return []
        } catch let error as ConfigError {
            return error.diagnostics.map { "\($0.path): \($0.message)" }
        } catch {
            return ["\(error)"]
        }
    }

    @Test func thresholdsAreReadAndShownAsGiven() throws {
        let rule = try rule("ssh-bruteforce", Self.bruteForce)
        let threshold = try #require(rule.threshold)
        #expect(threshold.count == 5 && threshold.withinSeconds == 60)
        #expect(threshold.groupBy.map(\.description) == ["$.ocsf.src_endpoint.ip"])
        #expect(
            rule.json["threshold"]
                == (try JSONParser().parse(
                    #"{"count":5,"within_seconds":60,"group_by":["$.ocsf.src_endpoint.ip"],"allowed_lateness_seconds":5}"#
                ))
        )
        #expect(!rule.staged && rule.json["staged"] == nil)
    }

    @Test(arguments: [
        (#"{"within_seconds": 60}"#, "$.threshold.count: is required (an integer such as 5)"),
        (#"{"count": 5}"#, "$.threshold.within_seconds: is required (an integer such as 60)"),
        (#"{"count": 0, "within_seconds": 60}"#, "$.threshold.count: must be an integer from 1 to 100000"),
        (
            #"{"count": 5, "within_seconds": 9999999}"#,
            "$.threshold.within_seconds: must be an integer from 1 to 2678400"
        ),
        (
            #"{"count": 5, "within_seconds": 60, "group_by": ["ip"]}"#,
            "$.threshold.group_by[0]: must be a JSON path such as \"$.ocsf.src_endpoint.ip\""
        ),
        (
            #"{"count": 5, "within_seconds": 60, "group_by": "$.a"}"#,
            "$.threshold.group_by: must be a list of at most 8 JSON paths"
        ),
        (
            #"{"count": 5, "within_seconds": 60, "window": 3}"#,
            "$.threshold.window: unknown key; known keys here are allowed_lateness_seconds, count, group_by, within_seconds"
        ),
        (#"[5, 60]"#, "$.threshold: expected an object, found array"),
    ])
    func badThresholdsAreLocated(threshold: String, expected: String) {
        let found = diagnostics(#"{"pattern": {"type": ["t"]}, "threshold": \#(threshold), "targets": []}"#)
        #expect(found == [expected])
    }

    @Test func eventsFeedTheirGroupOrNothing() throws {
        let table = DetectionTable(
            rules: [
                try rule("ssh-bruteforce", Self.bruteForce),
                try rule("plain", #"{"pattern": {"type": ["ssh.login.failed"]}, "targets": []}"#),
            ]
        )
        #expect(table.rules.map(\.id) == ["ssh-bruteforce"], "only rules with a threshold are detections")
        #expect(table.rules.first?.allowedLateness == 5_000)
        #expect(table.sources.first?.title == "SSH brute force")
        func matches(_ event: String) throws -> [DetectionTable.Match] {
            table.evaluate(try JSONParser().parse(event), context: DetectionContext()).matches
        }
        let counted = try matches(#"{"type": "ssh.login.failed", "ocsf": {"src_endpoint": {"ip": "203.0.113.9"}}}"#)
        #expect(counted == [DetectionTable.Match(rule: 0, group: ["203.0.113.9"])])
        #expect(try matches(#"{"type": "ssh.login.failed", "ocsf": {}}"#).isEmpty, "no address, no group")
        #expect(try matches(#"{"type": "ssh.login.failed", "ocsf": {"src_endpoint": {"ip": null}}}"#).isEmpty)
        #expect(
            try matches(#"{"type": "ssh.login.succeeded", "ocsf": {"src_endpoint": {"ip": "203.0.113.9"}}}"#).isEmpty
        )
        let numeric = try matches(#"{"type": "ssh.login.failed", "ocsf": {"src_endpoint": {"ip": 42}}}"#)
        #expect(numeric.map(\.group) == [["42"]], "numbers group by their JSON text")
    }

    @Test func thresholdRulesRouteTheirAlertsNotTheirMatches() throws {
        let edge = try TargetDefinition(
            name: "edge",
            json: JSONParser().parse(#"{"kind": "blocklist", "ip_path": "$.ocsf.src_endpoint.ip"}"#)
        )
        let staged = try rule(
            "staged",
            #"{"pattern": {"type": ["ssh.login.failed"]}, "threshold": {"count": 2, "within_seconds": 9}, "staged": true, "targets": [{"target": "edge"}]}"#
        )
        let table = try RoutingTable(rules: [try rule("ssh-bruteforce", Self.bruteForce), staged], targets: [edge])
        let event = try JSONParser().parse(
            #"{"type": "ssh.login.failed", "ocsf": {"src_endpoint": {"ip": "203.0.113.9"}}}"#
        )
        #expect(table.routes(for: event, context: MatchContext()).isEmpty)
        #expect(table.alertRoutes(rule: "ssh-bruteforce").map(\.target) == ["edge"])
        #expect(table.alertRoutes(rule: "ssh-bruteforce").allSatisfy { !$0.dryRun })
        #expect(table.alertRoutes(rule: "staged").allSatisfy { $0.dryRun }, "a staged rule's targets never fire")
        #expect(table.alertRoutes(rule: "missing").isEmpty)
    }
}
