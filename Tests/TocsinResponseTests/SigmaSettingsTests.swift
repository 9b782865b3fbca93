// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinConfig
import TocsinCore
import TocsinRules

/// The rules directory's Sigma mapping (`sigma_mapping:`) and per-rule settings (`sigma:`, staged
/// and inline tests), kept beside unmodified Sigma files.
struct SigmaSettingsTests {
    static let vpnRule = """
        title: VPN login by a watched user
        id: vpn-watch
        logsource: {product: acme, service: vpn}
        detection:
          selection: {user: mallory}
          condition: selection
        """

    static let mapping = """
        sigma_mapping:
          logsources:
            - logsource: {product: acme, service: vpn}
              events: {source: [{prefix: /acme/vpn/}]}
          fields:
            - logsource: {product: acme}
              map: {user: actor.name}
        """

    static let vpnEvent =
        #"{"source": "/acme/vpn/eu", "type": "acme.vpn.login", "data": {"actor": {"name": "mallory"}}}"#

    func load(_ files: [(String, String)]) -> ConfigDirectory {
        ConfigDirectory(files: files.map { (name: $0.0, text: $0.1) })
    }

    func sigmaMatches(_ directory: ConfigDirectory, _ event: String) throws -> [Int] {
        let table = DetectionTable(rules: directory.rules, sigma: directory.sigma)
        return table.evaluate(try JSONParser().parse(event), context: DetectionContext()).sigmaMatches
    }

    @Test func theMappingSelectsEventsAndRenamesFields() throws {
        // Files are read in name order; the mapping applies to Sigma files wherever it is.
        let mapped = load([("a-vpn.yml", Self.vpnRule), ("z-mapping.yaml", Self.mapping)])
        #expect(mapped.diagnostics.isEmpty)
        #expect(try sigmaMatches(mapped, Self.vpnEvent) == [0])
        let other = #"{"source": "/acme/vpn/eu", "type": "acme.vpn.login", "data": {"actor": {"name": "alice"}}}"#
        #expect(try sigmaMatches(mapped, other).isEmpty)
        // Without it, no event is an acme/vpn event.
        #expect(try sigmaMatches(load([("a-vpn.yml", Self.vpnRule)]), Self.vpnEvent).isEmpty)
    }

    @Test(arguments: [
        (
            "sigma_mapping:\n  logsources:\n    - logsource: {vendor: acme}\n      events: {source: [x]}",
            [
                "m.yaml:3:19: $.sigma_mapping.logsources[0].logsource.vendor: unknown key; known keys here are category, product, service",
                "m.yaml:3:7: $.sigma_mapping.logsources[0].logsource: name at least one of product, service, category",
            ]
        ),
        (
            "sigma_mapping:\n  logsources:\n    - logsource: {product: acme}\n      events: {source: 3}",
            [
                "m.yaml:4:16: $.sigma_mapping.logsources[0].events.source: a field must map to a value list such as [\"x\"] or to a nested object, not to a number"
            ]
        ),
        (
            "sigma_mapping:\n  fields:\n    - logsource: {product: acme}\n      rename: {a: b}",
            [
                "m.yaml:4:7: $.sigma_mapping.fields[0].rename: unknown key; known keys here are logsource, map, prefix"
            ]
        ),
    ])
    func anInvalidMappingIsLocated(text: String, expected: [String]) {
        let directory = load([("m.yaml", text)])
        #expect(directory.diagnostics.map(\.description).sorted() == expected.sorted())
    }

    @Test func aStagedSigmaRuleRecordsItsAlertsAndFiresNoTarget() throws {
        let settings = """
            sigma:
              vpn-watch: {staged: true}
            """
        let directory = load([("a-vpn.yml", Self.vpnRule), ("mapping.yaml", Self.mapping), ("tocsin.yaml", settings)])
        #expect(directory.diagnostics.isEmpty)
        let table = DetectionTable(rules: [], sigma: directory.sigma)
        #expect(table.sigmaSources.map(\.staged) == [true])
        // A pattern rule routing alerts sends a staged rule's alerts as dry runs only.
        let soc = try TargetDefinition(
            name: "soc",
            json: JSONParser().parse(#"{"kind": "blocklist", "ip_path": "$.ip"}"#)
        )
        let route = try RuleDefinition(
            name: "alerts",
            json: JSONParser().parse(#"{"pattern": {"type": ["tocsin.alert.raised"]}, "targets": [{"target": "soc"}]}"#)
        )
        let routing = try RoutingTable(rules: [route], targets: [soc])
        func routes(staged: Bool) throws -> [Bool] {
            let alert = try JSONParser().parse(
                #"{"type": "tocsin.alert.raised", "data": {"rule": "vpn-watch", "staged": \#(staged)}}"#
            )
            return routing.routes(for: alert, context: MatchContext()).map(\.dryRun)
        }
        #expect(try routes(staged: true) == [true])
        #expect(try routes(staged: false) == [false])
    }

    @Test func settingsForAnUnknownRuleAreLocated() {
        let directory = load([
            ("a-vpn.yml", Self.vpnRule), ("tocsin.yaml", "rules: {}\nsigma:\n  vpn-wach: {staged: true}"),
        ])
        #expect(
            directory.diagnostics.map(\.description) == [
                "tocsin.yaml:3:3: $.sigma.vpn-wach: no Sigma rule or correlation of the rules directory has this id or name"
            ]
        )
        let typo = load([("tocsin.yaml", "sigma:\n  vpn-watch: {stage: true}")])
        #expect(
            typo.diagnostics.map(\.description).first
                == "tocsin.yaml:2:15: $.sigma.vpn-watch.stage: unknown key; known keys here are staged, tests"
        )
    }

    @Test func sigmaRulesRunTheirInlineTests() throws {
        let settings = """
            sigma:
              vpn-watch:
                tests:
                  - event: {source: /acme/vpn/eu, type: acme.vpn.login, data: {actor: {name: mallory}}}
                    match: true
                  - events:
                      - {source: /acme/vpn/eu, type: acme.vpn.login, data: {actor: {name: alice}}}
                      - {source: /other, type: acme.vpn.login, data: {actor: {name: mallory}}}
                    match: false
                  - events:
                      - {source: /acme/vpn/eu, type: acme.vpn.login, data: {actor: {name: mallory}}}
                      - {source: /acme/vpn/eu, type: acme.vpn.login, data: {actor: {name: mallory}}}
                    alerts: 2
                  - event: {source: /acme/vpn/eu, type: acme.vpn.login, data: {actor: {name: alice}}}
                    match: true
            """
        let directory = load([("a-vpn.yml", Self.vpnRule), ("mapping.yaml", Self.mapping), ("tocsin.yaml", settings)])
        #expect(directory.diagnostics.isEmpty)
        let tests = try #require(directory.sigma.settings.first).tests
        let outcomes = tests.map { $0.outcome(ofSigma: "vpn-watch", in: directory.sigma) }
        #expect(outcomes == [.match(true), .match(false), .alerts(2), .match(false)])
        #expect(zip(tests, outcomes).map { $0.expectation == $1 } == [true, true, true, false], "the last one fails")
        #expect(tests[0].outcome(ofSigma: "missing", in: directory.sigma) == nil)
    }

    @Test func correlationsRunTheirInlineTestsWithTheirChain() throws {
        let failures = SigmaChainingTests.events.joined(separator: ", ")
        let settings = "sigma:\n  repeated-bursts:\n    tests: [{events: [\(failures)], alerts: 1}]"
        let directory = load([
            ("chain.yml", SigmaChainingTests.failure + "\n---\n" + SigmaChainingTests.correlations()),
            ("tocsin.yaml", settings),
        ])
        #expect(directory.diagnostics.isEmpty)
        let test = try #require(directory.sigma.settings.first?.tests.first)
        #expect(test.outcome(ofSigma: "repeated-bursts", in: directory.sigma) == .alerts(1))
        #expect(test.outcome(ofSigma: "burst", in: directory.sigma) == .alerts(3))
    }
}
