// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOHTTP1
import Testing
import TocsinCore
import TocsinTesting

/// The rules directory's `sigma_mapping:` in a real server: a Sigma rule for a log source Tocsin has
/// no default for fires on the events the mapping names, with its fields renamed; an invalid mapping
/// is refused with a located diagnostic and the previous rules stay in force.
struct SigmaMappingServeTests {
    static let rule = """
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

    func publish(_ server: ServerProcess, id: String, user: String) async throws {
        let event =
            #"{"specversion":"1.0","id":"\#(id)","source":"/acme/vpn/eu","type":"acme.vpn.login","#
            + #""datacontenttype":"application/json","data":{"actor":{"name":"\#(user)"}}}"#
        let answer = try await call(
            server.baseURL + "/v1/events",
            method: .POST,
            headers: [server.authorization, ("content-type", "application/cloudevents+json")],
            body: Array(event.utf8)
        )
        #expect(answer.status == 202)
    }

    @Test(.timeLimit(.minutes(3))) func theMappingRoutesACustomSourceAndABadOneKeepsThePreviousRules() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let rules = directory.path + "/rules"
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        try Data(Self.rule.utf8).write(to: URL(fileURLWithPath: rules + "/vpn.yml"))
        try Data(Self.mapping.utf8).write(to: URL(fileURLWithPath: rules + "/mapping.yaml"))
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: ["--rules-dir", rules]
        )
        defer { Task { _ = await server.terminate() } }
        try await publish(server, id: "alice-1", user: "alice")
        try await publish(server, id: "mallory-1", user: "mallory")
        let first = try await server.eventually({ try await server.events(type: "tocsin.alert.raised") }) {
            !$0.isEmpty
        }
        #expect(first.count == 1 && first.first?["event"]?["data"]?["rule"] == .string("vpn-watch"))
        // A mapping with an unknown key is refused, located; the rule keeps running.
        let bad = Self.mapping.replacingOccurrences(of: "{product: acme}", with: "{vendor: acme}")
        try Data(bad.utf8).write(to: URL(fileURLWithPath: rules + "/mapping.yaml"))
        let rejected = try await server.eventually({ try await server.events(type: "tocsin.config.rejected") }) {
            !$0.isEmpty
        }
        let problems = rejected.first?["event"]?["data"]?["problems"]
        #expect(
            problems
                == .array([
                    .string(
                        rules
                            + "/mapping.yaml:6:7: $.sigma_mapping.fields[0].logsource: name at least one of product, service, category"
                    ),
                    .string(
                        rules
                            + "/mapping.yaml:6:19: $.sigma_mapping.fields[0].logsource.vendor: unknown key; known keys here are category, product, service"
                    ),
                ]),
            "\(String(describing: problems))"
        )
        try await publish(server, id: "mallory-2", user: "mallory")
        let second = try await server.eventually({ try await server.events(type: "tocsin.alert.raised") }) {
            $0.count >= 2
        }
        #expect(second.count == 2)
    }
}
