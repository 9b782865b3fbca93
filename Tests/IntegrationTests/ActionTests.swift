// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOHTTP1
import Testing
import TocsinCore
import TocsinTesting

/// Target kinds end to end: built-in actions, programs, payload formats, transformers, dry runs.
struct ActionTests {
    /// A server whose host-configuration targets (programs, nftables files) come from a rules
    /// directory, as the API refuses them.
    func serve(
        hostTargets: (TemporaryDirectory) -> [(String, String)] = { _ in [] }
    ) async throws -> (ServerProcess, TemporaryDirectory) {
        let directory = try TemporaryDirectory()
        let rules = directory.path + "/rules"
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        let targets = hostTargets(directory).map { "  \($0.0): \($0.1)" }.joined(separator: "\n")
        try Data(("targets:\n" + (targets.isEmpty ? "  {}" : targets) + "\n").utf8)
            .write(to: URL(fileURLWithPath: rules + "/targets.yaml"))
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: ["--rules-dir", rules]
        )
        return (server, directory)
    }

    @Test func blocklistIncidentAndKeyRevocation() async throws {
        let (server, directory) = try await serve { directory in
            [
                (
                    "edge",
                    #"{"kind":"blocklist","ip_path":"$.data.ip","ttl_seconds":3600,"nft_file":"\#(directory.path)/tocsin.nft"}"#
                )
            ]
        }
        defer { Task { _ = await server.terminate() } }
        let nft = directory.path + "/tocsin.nft"
        try await server.define("target", "cases", #"{"kind":"incident","key_path":"$.data.user","severity":"high"}"#)
        try await server.define(
            "target",
            "revoke",
            #"{"kind":"revoke-key","key_path":"$.data.key","retry":{"max_attempts":1}}"#
        )
        try await server.define(
            "rule",
            "ssh",
            #"{"pattern":{"type":["ssh.login.failed"]},"targets":[{"target":"edge"},{"target":"cases"}]}"#
        )
        try await server.define("rule", "leak", #"{"pattern":{"type":["key.leaked"]},"targets":[{"target":"revoke"}]}"#)
        let ips = ["203.0.113.9", "2001:DB8:0:0::1", "10.0.0.0/0", "not-an-ip"]
        _ = try await server.publish(type: "ssh.login.failed", ids: ["0", "1", "2", "3"]) { id in
            #"{"user":"root","ip":"\#(ips[Int(id)!])"}"#
        }
        let text = try await server.eventually({
            String(
                decoding: try await call(server.baseURL + "/v1/blocklist", headers: [server.authorization]).body,
                as: UTF8.self
            )
        }) { $0.split(separator: "\n").count == 2 }
        #expect(text == "2001:db8::1\n203.0.113.9\n")
        let json = try await call(server.baseURL + "/v1/blocklist?format=json", headers: [server.authorization]).json
        #expect(json?["entries"].map { if case .array(let items) = $0 { items.count } else { 0 } } == 2)
        #expect(json?["in_sync"] == .bool(true) && json?["files"]?.array?.first?["path"] == .string(nft))
        let file = try String(contentsOfFile: nft, encoding: .utf8)
        #expect(file.contains("set tocsin_blocklist_v4 {") && file.contains("elements = { 203.0.113.9 }"))
        #expect(file.contains("elements = { 2001:db8::1 }"))
        let refused = try await server.eventually({ try await server.deadLetters("?target=edge") }) { $0.count == 2 }
        #expect(
            refused.allSatisfy {
                $0["reason"] == .string("not-retryable") && $0["error"]?["kind"] == .string("rejected")
            }
        )
        #expect(JSONWriter().string(.array(refused)).contains("refused"), "a /0 is refused as too wide")
        #expect(!JSONWriter().string(.array(refused)).contains("not-an-ip"), "payload values stay out of errors")

        let incidents = try await server.eventually({
            try await call(server.baseURL + "/v1/incidents", headers: [server.authorization]).json?["incidents"]
        }) { value in
            if case .array(let items)? = value, items.count == 1, items[0].integer("alert_count") == 4 { return true }
            return false
        }
        #expect(incidents?.array?.first?["key"] == .string("root"))

        _ = try await server.publish(type: "key.leaked", ids: ["k"]) { _ in #"{"key":"admin"}"# }
        let letters = try await server.eventually({ try await server.deadLetters("?target=revoke") }) { $0.count == 1 }
        #expect(letters.first?["error"]?["message"]?.stringValue?.contains("admin identity cannot be revoked") == true)
        #expect(
            try await call(server.baseURL + "/v1/rules", headers: [server.authorization]).status == 200,
            "admin still works"
        )

        let created = try await call(
            server.baseURL + "/v1/keys",
            method: .POST,
            headers: [server.authorization],
            body: Array(#"{"name":"ci-bot","roles":["reader"]}"#.utf8)
        )
        let botKey = try #require(created.json?["key"]?.stringValue)
        #expect(
            try await call(server.baseURL + "/v1/events", headers: [("Authorization", "Bearer \(botKey)")]).status
                == 200
        )
        _ = try await server.publish(type: "key.leaked", ids: ["bot"]) { _ in #"{"key":"ci-bot"}"# }
        let status = try await server.eventually({
            try await call(server.baseURL + "/v1/events", headers: [("Authorization", "Bearer \(botKey)")]).status
        }) { $0 == 401 }
        #expect(status == 401, "the revoke-key target revokes the named key")
        let revoked = try await server.events(type: "tocsin.key.revoked")
        #expect(revoked.first?["event"]?["data"]?["actor"] == .string("rule:leak"))
    }

    @Test("a blocklist file that cannot be written: the dead letter names the path and errno, the read model says so")
    func blocklistFileProblemsAreNamed() async throws {
        let (server, directory) = try await serve { directory in
            [
                (
                    "edge",
                    #"{"kind":"blocklist","ip_path":"$.data.ip","nft_file":"\#(directory.path)/missing/tocsin.nft","retry":{"max_attempts":1}}"#
                )
            ]
        }
        defer { Task { _ = await server.terminate() } }
        let nft = directory.path + "/missing/tocsin.nft"
        try await server.define(
            "rule",
            "ssh",
            #"{"pattern":{"type":["ssh.login.failed"]},"targets":[{"target":"edge"}]}"#
        )
        _ = try await server.publish(type: "ssh.login.failed", ids: ["0"]) { _ in #"{"ip":"203.0.113.9"}"# }
        let letters = try await server.eventually({ try await server.deadLetters("?target=edge") }) { $0.count == 1 }
        let message = try #require(letters.first?["error"]?["message"]?.stringValue)
        #expect(message.contains("nft_file \(nft)") && message.contains("errno 2"), "\(message)")
        #expect(!message.contains("203.0.113.9"))
        let json = try await call(server.baseURL + "/v1/blocklist?format=json", headers: [server.authorization]).json
        #expect(json?["in_sync"] == .bool(false))
        #expect(json?["files"]?.array?.first?["problem"]?.stringValue?.contains("does not exist") == true)
    }

    @Test func programsRunWithTheEventOnStandardInput() async throws {
        let once = #""retry":{"max_attempts":1}"#
        let (server, directory) = try await serve { directory in
            [
                (
                    "writes",
                    #"{"kind":"exec","command":"/bin/sh","args":["-c","cat > \"$0\"","\#(directory.path)/out.json"]}"#
                ),
                ("fails", #"{"kind":"exec","command":"/bin/sh","args":["-c","exit 3"],\#(once)}"#),
                (
                    "gives-up",
                    #"{"kind":"exec","command":"/bin/sh","args":["-c","exit 2"],"permanent_exit_codes":[2],"retry":{"max_attempts":50}}"#
                ),
                ("slow", #"{"kind":"exec","command":"/bin/sh","args":["-c","sleep 5"],"timeout_seconds":1,\#(once)}"#),
            ]
        }
        defer { Task { _ = await server.terminate() } }
        let output = directory.path + "/out.json"
        try await server.define(
            "rule",
            "r",
            #"{"pattern":{"type":["x"]},"targets":[{"target":"writes"},{"target":"fails"},{"target":"gives-up"},{"target":"slow"}]}"#
        )
        _ = try await server.publish(type: "x", ids: ["1"])
        let letters = try await server.eventually({ try await server.deadLetters() }) { $0.count == 3 }
        let byTarget = Dictionary(uniqueKeysWithValues: letters.map { ($0["target"]?.stringValue ?? "", $0) })
        #expect(byTarget["fails"]?["error"]?.integer("exit_status") == 3)
        #expect(
            byTarget["gives-up"]?.integer("attempts") == 1
                && byTarget["gives-up"]?["reason"] == .string("not-retryable"),
            "a permanent exit status is dead-lettered at once, though 50 attempts are allowed"
        )
        #expect(byTarget["slow"]?["error"]?["kind"] == .string("timeout"))
        let written = try JSONParser().parse(try String(contentsOfFile: output, encoding: .utf8))
        #expect(written["id"] == .string("1") && written["data"]?["ip"] == .string("203.0.113.9"))
    }

    @Test func payloadFormatsTransformersAndDryRuns() async throws {
        let receiver = try await TestReceiver.start()
        defer { receiver.stop() }
        let (server, _) = try await serve()
        defer { Task { _ = await server.terminate() } }
        try await server.define("target", "slack", #"{"kind":"slack","url":"\#(receiver.url)"}"#)
        try await server.define(
            "target",
            "pd",
            #"{"kind":"pagerduty","url":"\#(receiver.url)","routing_key":"routing-key","severity":"critical"}"#
        )
        try await server.define(
            "target",
            "jira",
            #"{"kind":"jira","url":"\#(receiver.url)","project":"SEC","headers":{"Authorization":"Basic x"}}"#
        )
        try await server.define("target", "shaped", #"{"kind":"webhook","url":"\#(receiver.url)"}"#)
        try await server.define("target", "quiet", #"{"kind":"webhook","url":"\#(receiver.url)","dry_run":true}"#)
        try await server.define(
            "rule",
            "r",
            #"{"pattern":{"type":["x"]},"targets":[{"target":"slack"},{"target":"pd"},{"target":"jira"},{"target":"quiet"},{"target":"shaped","input_transformer":{"input_paths_map":{"ip":"$.data.ip"},"input_template":"{\"block\": \"<ip>\"}"}}]}"#
        )
        let sequence = try #require(try await server.publish(type: "x", ids: ["1"]).first)
        #expect(await receiver.waitFor { $0.received.count == 4 })
        let bodies = receiver.received.compactMap { try? JSONParser().parse($0.body) }
        #expect(bodies.contains { $0["text"]?.stringValue?.hasPrefix("[r] x from /test") == true })
        let pagerduty = try #require(bodies.first { $0["routing_key"] != nil })
        #expect(pagerduty["routing_key"] == .string("routing-key") && pagerduty["event_action"] == .string("trigger"))
        #expect(pagerduty["payload"]?["severity"] == .string("critical"))
        let jira = try #require(bodies.first { $0["fields"] != nil })
        #expect(jira["fields"]?["project"]?["key"] == .string("SEC"))
        #expect(receiver.received.contains { $0.headers["authorization"] == "Basic x" })
        #expect(bodies.contains { $0 == .object(JSONObject([.init(name: "block", value: .string("203.0.113.9"))])) })
        let deliveries = try await server.eventually({ try await server.deliveries(event: sequence) }) {
            $0.filter { $0["state"] == .string("succeeded") }.count == 4
        }
        #expect(deliveries.first { $0["target"] == .string("quiet") }?["state"] == .string("dry-run"))
        #expect(try await server.events(type: "tocsin.delivery.dryrun").count == 1)
    }
}

extension JSONValue {
    var array: [JSONValue]? {
        if case .array(let items) = self {
            return items
        }
        return nil
    }
}
