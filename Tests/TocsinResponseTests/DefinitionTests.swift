// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinActions
import TocsinConfig
import TocsinCore
import TocsinDetect
import TocsinResponse
import TocsinRules

/// Target and rule definitions: the contract's shapes, every problem reported at once, YAML
/// positions, input transformers and the routing table.
struct DefinitionTests {
    func json(_ text: String) throws -> JSONValue {
        try JSONParser().parse(text)
    }

    @Test func contractShapesAreAccepted() throws {
        let webhook = try TargetDefinition(
            name: "soc-webhook",
            json: json(
                #"{"kind": "webhook", "url": "http://127.0.0.1:9000/hook", "secret": "s3cret", "timeout_seconds": 5, "retry": {"max_attempts": 185, "max_event_age_seconds": 86400}, "circuit_breaker": {"failure_threshold": 5, "open_seconds": 30}}"#
            )
        )
        #expect(webhook.retry.maxAttempts == 185 && webhook.retry.maxEventAgeMilliseconds == 86_400_000)
        #expect(webhook.circuitBreaker == .init(failureThreshold: 5, openMilliseconds: 30_000))
        #expect(!JSONWriter().string(webhook.redactedJSON).contains("s3cret"), "secrets never leave redacted")
        let blocklist = try TargetDefinition(
            name: "edge-blocklist",
            json: json(
                #"{"kind": "blocklist", "ip_path": "$.data.ip", "ttl_seconds": 3600, "nft_file": "/etc/nftables.d/tocsin.nft"}"#
            )
        )
        #expect(blocklist.kindName == "blocklist")
        let rule = try RuleDefinition(
            name: "ssh-bruteforce",
            json: json(
                #"{"pattern": {"type": ["ssh.login.failed"]}, "enabled": true, "targets": [{"target": "soc-webhook"}, {"target": "edge-blocklist"}]}"#
            )
        )
        #expect(rule.targets.map(\.target) == ["soc-webhook", "edge-blocklist"])
        let table = try RoutingTable(rules: [rule], targets: [webhook, blocklist])
        let routes = table.routes(
            for: try json(#"{"type": "ssh.login.failed", "data": {"ip": "203.0.113.9"}}"#),
            context: MatchContext()
        )
        #expect(routes.map(\.target) == ["soc-webhook", "edge-blocklist"])
    }

    @Test func everyProblemIsReportedAtOnce() throws {
        do {
            _ = try TargetDefinition(
                name: "bad name!",
                json: json(
                    #"{"kind": "webhook", "url": "ftp://x", "tiemout_seconds": 5, "retry": {"max_attempts": 0}, "headers": []}"#
                )
            )
            Issue.record("accepted an invalid target")
        } catch let error as ConfigError {
            let text = error.description
            #expect(error.diagnostics.count == 5, "\(text)")
            #expect(text.contains("$.tiemout_seconds: unknown key"))
            #expect(text.contains("$.url: must be an http:// or https:// URL"))
            #expect(text.contains("$.retry.max_attempts: must be an integer from 1 to 10000"))
            #expect(text.contains("$.headers: must be an object"))
            #expect(text.contains("names are 1 to 128 characters"))
        }
        do {
            _ = try RuleDefinition(
                name: "r",
                json: json(#"{"pattern": {"a": [{"numeric": ["<", 1, ">", 0]}]}, "targets": [{"taget": "x"}]}"#)
            )
            Issue.record("accepted an invalid rule")
        } catch let error as ConfigError {
            #expect(error.description.contains("$.pattern.a[0].numeric: numeric: lower bound must come first"))
            #expect(error.description.contains("$.targets[0].target: is required"))
            #expect(error.description.contains("$.targets[0].taget: unknown key"))
        }
    }

    /// An exec target may name exit statuses that mean "retrying cannot help".
    @Test func permanentExitCodesAreReadAndChecked() throws {
        let target = try TargetDefinition(
            name: "deactivate-key",
            json: json(#"{"kind": "exec", "command": "/usr/local/bin/deactivate", "permanent_exit_codes": [2, 64]}"#)
        )
        let exec = try #require(target.settings as? ExecAction)
        #expect(exec.permanentExitCodes == [2, 64])
        #expect(JSONWriter().string(target.redactedJSON).contains(#""permanent_exit_codes":[2,64]"#))
        for bad in [#"[0]"#, #"[256]"#, #"["2"]"#, #"2"#] {
            #expect(throws: ConfigError.self) {
                try TargetDefinition(
                    name: "t",
                    json: json(#"{"kind": "exec", "command": "/bin/true", "permanent_exit_codes": \#(bad)}"#)
                )
            }
        }
        var failure = AttemptFailure(kind: .exitStatus, exitStatus: 2, message: "exited")
        #expect(failure.isRetryable)
        failure.isPermanent = true
        #expect(!failure.isRetryable)
    }

    @Test func yamlDiagnosticsPointIntoTheFile() {
        let files = [
            (
                name: "ssh.yaml",
                text: """
                targets:
                  edge:
                    kind: blocklist
                    ip_path: $.data.ip
                    ttl_secs: 60
                rules:
                  ssh:
                    pattern: {type: [ssh.login.failed]}
                    targets:
                      - target: edge
                """
            ),
            (name: "broken.yaml", text: "rules: [unclosed\n"),
        ]
        let directory = ConfigDirectory(files: files)
        #expect(directory.rules.map(\.name) == ["ssh"])
        #expect(directory.targets.isEmpty)
        let messages = directory.diagnostics.map(\.description)
        #expect(messages.contains { $0.hasPrefix("ssh.yaml:5:5: $.targets.edge.ttl_secs: unknown key") }, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("broken.yaml:2:") }, "\(messages)")
    }

    @Test func rulesNamingMissingTargetsAreRejected() throws {
        let rule = try RuleDefinition(
            name: "r",
            json: json(#"{"pattern": {"type": ["x"]}, "targets": [{"target": "nowhere"}]}"#)
        )
        #expect(throws: ConfigError.self) { try RoutingTable(rules: [rule], targets: []) }
    }

    @Test func inputTransformersFollowEventBridge() throws {
        let event = try json(
            #"{"type": "ssh.login.failed", "data": {"ip": "203.0.113.9", "user": "root", "count": 7, "tags": ["a"]}}"#
        )
        #expect(
            InputTransform.path(try #require(JSONPath("$.data.ip"))).apply(to: event) == Array(#""203.0.113.9""#.utf8)
        )
        let template = InputTransform.template(
            paths: [
                "ip": try #require(JSONPath("$.data.ip")), "n": try #require(JSONPath("$.data.count")),
                "none": try #require(JSONPath("$.data.missing")),
            ],
            template: #"{"text": "blocked <ip> after <n> tries", "count": <n>, "missing": <none>, "quoted": "<none>"}"#
        )
        #expect(
            String(decoding: template.apply(to: event), as: UTF8.self)
                == #"{"text": "blocked 203.0.113.9 after 7 tries", "count": 7, "missing": null, "quoted": ""}"#
        )
        let escaping = try json(#"{"data": {"msg": "say \"hi\""}}"#)
        let quoted = InputTransform.template(
            paths: ["m": try #require(JSONPath("$.data.msg"))],
            template: #"{"m": "<m>"}"#
        )
        #expect(String(decoding: quoted.apply(to: escaping), as: UTF8.self) == #"{"m": "say \"hi\""}"#)
        #expect(JSONPath("$.a[0]['b.c']")?.steps == [.member("a"), .index(0), .member("b.c")])
        #expect(JSONPath("data.ip") == nil)
    }
}

/// The worked examples of docs/examples, read from the documents themselves.
struct WorkedExampleTests {
    static let examples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/examples")

    @Test(arguments: [
        "ssh-bruteforce.md", "cloudtrail-logging-stopped.md", "k8s-exec-in-prod.md", "native-detections.md",
    ])
    func everyRulesFileOfAnExampleLoads(name: String) throws {
        let text = try String(contentsOf: Self.examples.appendingPathComponent(name), encoding: .utf8)
        let blocks = text.components(separatedBy: "```yaml\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        #expect(!blocks.isEmpty)
        let directory = ConfigDirectory(files: blocks.enumerated().map { ("\(name)#\($0.offset)", $0.element) })
        #expect(directory.diagnostics.isEmpty, "\(directory.diagnostics)")
        _ = try RoutingTable(rules: directory.rules, targets: directory.targets, sigma: directory.sigma)
    }

    @Test func theDocumentedRulesDirectoryValidatesAndRoutes() throws {
        let document = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/examples/ssh-bruteforce.md")
        let text = try String(contentsOf: document, encoding: .utf8)
        let start = try #require(text.range(of: "```yaml\n"))
        let end = try #require(text.range(of: "```", range: start.upperBound..<text.endIndex))
        let directory = ConfigDirectory(files: [("ssh.yaml", String(text[start.upperBound..<end.lowerBound]))])
        #expect(directory.diagnostics.isEmpty, "\(directory.diagnostics)")
        let table = try RoutingTable(rules: directory.rules, targets: directory.targets)
        func failure(ip: String) throws -> JSONValue {
            try JSONParser().parse(
                #"{"type":"ssh.login.failed","source":"/syslog/bastion-1","ocsf":{"src_endpoint":{"ip":"\#(ip)"}}}"#
            )
        }
        let outside = try failure(ip: "203.0.113.9")
        #expect(table.routes(for: outside, context: MatchContext()).isEmpty, "a threshold rule routes its alerts")
        #expect(
            table.detections.evaluate(outside, context: DetectionContext()).matches
                == [DetectionTable.Match(rule: 0, group: ["203.0.113.9"])]
        )
        #expect(table.detections.evaluate(try failure(ip: "10.1.2.3"), context: DetectionContext()).matches.isEmpty)
        #expect(table.detections.rules.first?.id == "ssh-bruteforce")
        #expect(table.alertRoutes(rule: "ssh-bruteforce").map(\.target) == ["edge-blocklist"])
        let opened = try JSONParser().parse(
            #"{"type":"tocsin.incident.opened","data":{"id":42,"rule":"ssh-bruteforce","title":"Five failed SSH logins from one address within a minute","group":[{"field":"$.ocsf.src_endpoint.ip","value":"203.0.113.9"}]}}"#
        )
        let routes = table.routes(for: opened, context: MatchContext())
        #expect(routes.map(\.target) == ["soc-slack"])
        let slack = try #require(routes.last?.input)
        #expect(
            String(decoding: slack.apply(to: opened), as: UTF8.self)
                == #"{"text": "Incident 42: Five failed SSH logins from one address within a minute from 203.0.113.9; blocked for an hour"}"#
        )
    }
}
