// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOHTTP1
import Testing
import TocsinCore
import TocsinTesting

/// Read models rebuilt from the log on a real server and a real database: after a long mixed
/// workload every projection folded again equals the live one, online and offline; a row changed
/// behind the server's back is named by `tocsin rebuild --check` and restored by `tocsin rebuild`.
struct ProjectionTests {
    /// Whether the database file or its write-ahead log in `directory` holds `needle` as raw bytes.
    static func rawFilesContain(_ needle: String, in directory: String) throws -> Bool {
        let bytes = Data(needle.utf8)
        return ["tocsin.db", "tocsin.db-wal"].contains { name in
            FileManager.default.contents(atPath: directory + "/" + name)?.range(of: bytes) != nil
        }
    }

    func post(_ server: ServerProcess, _ path: String, _ body: String = "{}") async throws -> HTTPAnswer {
        try await call(server.baseURL + path, method: .POST, headers: [server.authorization], body: Array(body.utf8))
    }

    /// Every delivery of every event in `sequences` has left the pending state.
    func settled(_ server: ServerProcess, _ sequences: [Int64]) async throws -> Bool {
        for sequence in sequences {
            let deliveries = try await server.deliveries(event: sequence)
            if deliveries.isEmpty || deliveries.contains(where: { $0["state"] == .string("pending") }) {
                return false
            }
        }
        return true
    }

    /// Starts a server with two blocklist targets (one with a one-second TTL, so entries expire
    /// during the workload), an incident target, a revoke-key target, a rejecting webhook and a
    /// webhook that fails its first requests (retried, some dead-lettered).
    func serve(
        _ directory: TemporaryDirectory,
        receiver: TestReceiver,
        flaky: TestReceiver
    ) async throws
        -> ServerProcess
    {
        let rules = directory.path + "/rules"
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        try Data(
            """
            targets:
              edge: {"kind":"blocklist","ip_path":"$.data.ip","ttl_seconds":3600}
              short: {"kind":"blocklist","ip_path":"$.data.ip","ttl_seconds":1}
            """.utf8
        ).write(to: URL(fileURLWithPath: rules + "/targets.yaml"))
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: ["--rules-dir", rules]
        )
        try await server.define("target", "cases", #"{"kind":"incident","key_path":"$.data.user","severity":"high"}"#)
        try await server.define(
            "target",
            "revoke",
            #"{"kind":"revoke-key","key_path":"$.data.key","retry":{"max_attempts":1}}"#
        )
        try await server.define(
            "target",
            "hook",
            #"{"kind":"webhook","url":"\#(receiver.url)","retry":{"max_attempts":1},"circuit_breaker":{"failure_threshold":1000}}"#
        )
        try await server.define(
            "target",
            "flaky",
            #"{"kind":"webhook","url":"\#(flaky.url)","retry":{"max_attempts":2,"base_delay_ms":10},"circuit_breaker":{"failure_threshold":1000}}"#
        )
        try await server.define(
            "rule",
            "ssh",
            #"{"pattern":{"type":["ssh.login.failed"]},"targets":[{"target":"edge"},{"target":"cases"}]}"#
        )
        try await server.define("rule", "probe", #"{"pattern":{"type":["probe.seen"]},"targets":[{"target":"short"}]}"#)
        try await server.define("rule", "leak", #"{"pattern":{"type":["key.leaked"]},"targets":[{"target":"revoke"}]}"#)
        try await server.define(
            "rule",
            "notify",
            #"{"pattern":{"type":["x"]},"targets":[{"target":"hook"},{"target":"flaky"}]}"#
        )
        return server
    }

    /// The signing secret of target `signed-index`, version `version`, and its header value.
    static func secrets(_ index: Int, _ version: Int) -> (signing: String, header: String) {
        ("sgn\(index)v\(version)Q7rT2mX9", "hdr\(index)v\(version)Zk4pW8")
    }

    /// Defines target `signed-index` through the API with version `version` of its secrets.
    func defineSigned(_ index: Int, _ version: Int, server: ServerProcess, receiver: TestReceiver) async throws {
        let secrets = Self.secrets(index, version)
        try await server.define(
            "target",
            "signed-\(index)",
            #"{"kind":"webhook","url":"\#(receiver.url)","secret":"\#(secrets.signing)","headers":{"X-Token":"\#(secrets.header)"},"dry_run":true}"#
        )
    }

    /// One round of the workload: blocks (some repeated, some expiring), incidents and actions on
    /// them, retries, dead letters, redrives and purges, key creation, rotation and revocation, rule
    /// and target definitions created, changed (a target's secrets rotated) and deleted.
    func round(_ index: Int, server: ServerProcess, receiver: TestReceiver) async throws -> [Int64] {
        var sequences: [Int64] = []
        let users = ["root", "alice", "root", "bob"]
        sequences += try await server.publish(type: "ssh.login.failed", ids: (0..<4).map { "ssh-\(index)-\($0)" }) {
            id in
            let n = Int(id.split(separator: "-").last ?? "0") ?? 0
            return #"{"user":"\#(users[n])","ip":"203.0.113.\#((index + n) % 7 + 1)"}"#
        }
        sequences += try await server.publish(type: "probe.seen", ids: (0..<3).map { "probe-\(index)-\($0)" }) { id in
            #"{"ip":"198.51.100.\#((id.count + index) % 3 + 1)"}"#
        }
        sequences += try await server.publish(type: "x", ids: ["x-\(index)"]) { _ in #"{"n":1}"# }
        let created = try await post(server, "/v1/keys", #"{"name":"bot-\#(index)","roles":["reader"]}"#)
        #expect(created.status == 201)
        #expect(try await post(server, "/v1/keys/bot-\(index)/rotate", #"{"grace_seconds":60}"#).status == 200)
        if index % 2 == 0 {
            sequences += try await server.publish(type: "key.leaked", ids: ["leak-\(index)"]) { _ in
                #"{"key":"bot-\#(index)"}"#
            }
        } else if index % 3 == 0 {
            let revoked = try await call(
                server.baseURL + "/v1/keys/bot-\(index)",
                method: .DELETE,
                headers: [server.authorization]
            )
            #expect(revoked.status == 200 || revoked.status == 204)
        }
        #expect(try await eventually({ try await self.settled(server, sequences) }) { $0 }, "round \(index) settles")
        let incidents =
            try await call(server.baseURL + "/v1/incidents?status=open,acknowledged", headers: [server.authorization])
            .json?["incidents"]?.array ?? []
        if let first = incidents.last?.integer("id") {
            let verb = ["acknowledge", "assign", "close"][index % 3]
            let body = verb == "assign" ? #"{"assignee":"carol"}"# : #"{"note":"round \#(index)"}"#
            _ = try await post(server, "/v1/incidents/\(first)/\(verb)", body)
        }
        if index % 3 == 2 {
            #expect(try await post(server, "/v1/dlq/redrive", #"{"all":true}"#).status == 200)
        } else if index % 3 == 1 {
            let purged = try await call(
                server.baseURL + "/v1/dlq?target=flaky",
                method: .DELETE,
                headers: [server.authorization]
            )
            #expect(purged.status == 200)
        }
        try await server.define(
            "rule",
            "temp-\(index)",
            #"{"pattern":{"type":["t\#(index)"]},"targets":[{"target":"hook"}]}"#
        )
        if index % 2 == 1 {
            try await server.define(
                "rule",
                "temp-\(index - 1)",
                #"{"pattern":{"source":["/changed"]},"targets":[{"target":"hook"}]}"#
            )
        } else if index > 0 {
            let deleted = try await call(
                server.baseURL + "/v1/rules/temp-\(index - 1)",
                method: .DELETE,
                headers: [server.authorization]
            )
            #expect(deleted.status == 204 || deleted.status == 200)
        }
        try await defineSigned(index, 0, server: server, receiver: receiver)
        if index % 2 == 1 {
            try await defineSigned(index - 1, 1, server: server, receiver: receiver)
        }
        if index % 4 == 3 {
            let deleted = try await call(
                server.baseURL + "/v1/targets/signed-\(index - 3)",
                method: .DELETE,
                headers: [server.authorization]
            )
            #expect(deleted.status == 204 || deleted.status == 200)
        }
        return sequences
    }

    /// Adds a target with a secret to the rules directory's targets file and reloads it.
    func reloadFileTarget(_ directory: TemporaryDirectory, server: ServerProcess) async throws {
        try Data(
            """
            targets:
              edge: {"kind":"blocklist","ip_path":"$.data.ip","ttl_seconds":3600}
              short: {"kind":"blocklist","ip_path":"$.data.ip","ttl_seconds":1}
              filed: {"kind":"webhook","url":"http://127.0.0.1:9/in","secret":"\(Self.fileSecret)","dry_run":true}
            """.utf8
        ).write(to: URL(fileURLWithPath: directory.path + "/rules/targets.yaml"))
        kill(server.process.processIdentifier, SIGHUP)
        _ = try await server.eventually({ try await server.events(type: "tocsin.config.reloaded") }) {
            $0.contains { $0["event"]?["data"]?["targets"]?.array?.contains(.string("filed")) == true }
        }
    }

    static let fileSecret = "fileSecretW3xV5nR1"

    @Test("after a long mixed workload every projection rebuilt from the log equals the live one")
    func rebuiltEqualsLive() async throws {
        let receiver = try await TestReceiver.start(.status(400))
        defer { receiver.stop() }
        let flaky = try await TestReceiver.start(.failThenOK(failures: 5, status: 503))
        defer { flaky.stop() }
        let directory = try TemporaryDirectory()
        let data = directory.path + "/data"
        let server = try await serve(directory, receiver: receiver, flaky: flaky)
        var sequences: [Int64] = []
        for index in 0..<8 {
            sequences += try await round(index, server: server, receiver: receiver)
            if index == 4 {
                try await reloadFileTarget(directory, server: server)
            }
        }
        #expect(try await eventually({ try await self.settled(server, sequences) }) { $0 })
        let names = try #require(
            try await call(server.baseURL + "/v1/projections", headers: [server.authorization]).json?["projections"]?
                .array?.compactMap(\.stringValue)
        )
        #expect(names == ["incidents", "identities", "blocklist", "rules", "deliveries", "targets"])
        for name in names {
            let check = try await call(
                server.baseURL + "/v1/projections/\(name)/check",
                headers: [server.authorization]
            )
            #expect(
                check.status == 200 && check.json?["equal"] == .bool(true),
                "\(name) online: \(check.json.map { JSONWriter().string($0) } ?? "")"
            )
            let rebuilt = try await post(server, "/v1/projections/\(name)/rebuild")
            #expect(rebuilt.status == 200 && (rebuilt.json?.integer("through") ?? 0) > 0)
        }
        let reader = try await runTocsin(["rebuild", "--projection", "nope", "--data-dir", data])
        #expect(
            reader.status != 0 && reader.errors.contains("incidents, identities, blocklist, rules, deliveries, targets")
        )
        #expect(
            try await call(server.baseURL + "/v1/rules", headers: [server.authorization]).status == 200,
            "keys survive"
        )
        let signed = try await call(server.baseURL + "/v1/targets/signed-5", headers: [server.authorization])
        #expect(signed.status == 200, "the rebuilt targets are in the routing table")
        let online = try await runTocsin(
            [
                "rebuild", "--online", "--check", "--projection", "targets", "--server", server.baseURL, "--key",
                server.adminKey,
            ]
        )
        #expect(online.status == 0 && online.output.contains("targets"), "\(online.output) \(online.errors)")
        #expect(try await server.events(type: "tocsin.projection.rebuilt").count == 6)
        _ = await server.terminate()

        let offline = try await runTocsin(["rebuild", "--check", "--output", "json", "--data-dir", data])
        let reports = offline.output.split(separator: "\n").compactMap { try? JSONParser().parse(Array($0.utf8)) }
        #expect(offline.status == 0 && reports.count == 6, "\(offline.output) \(offline.errors)")
        #expect(reports.allSatisfy { $0["equal"] == .bool(true) })
        let rows = reports.filter { $0["projection"] != .string("targets") }.flatMap { $0["tables"]?.array ?? [] }.map {
            ($0["table"]?.stringValue ?? "", $0.integer("live_rows") ?? 0)
        }
        let counts = Dictionary(uniqueKeysWithValues: rows)
        let targets = reports.first { $0["projection"] == .string("targets") }?["tables"]?.array?.first
        #expect(targets?.integer("live_rows") == 10, "four targets of the setup and six signed ones")
        var secrets = [Self.fileSecret]
        for index in 0..<8 {
            for version in 0..<2 {
                secrets += [Self.secrets(index, version).signing, Self.secrets(index, version).header]
            }
        }
        for secret in secrets {
            #expect(try !Self.rawFilesContain(secret, in: data), "\(secret) is in the database files")
        }
        #expect(counts["identities"] == 8 && (counts["incidents"] ?? 0) >= 2 && (counts["alerts"] ?? 0) >= 32)
        #expect((counts["incident_actions"] ?? 0) >= 3 && (counts["blocklist"] ?? 0) >= 5)
        #expect(counts["definitions"] == 9, "the rules defined through the API")
        #expect((counts["deliveries"] ?? 0) >= 70, "every routed delivery but the purged ones")

        // A row changed behind the server's back: the check names it, a rebuild restores it.
        _ = try await runProgram(
            "/usr/bin/sqlite3",
            [data + "/tocsin.db", "UPDATE identities SET roles = 'admin' WHERE name = 'bot-1'"]
        )
        let tampered = try await runTocsin(["rebuild", "--check", "--projection", "identities", "--data-dir", data])
        #expect(tampered.status == 1 && tampered.output.contains("DIFFERENT") && tampered.output.contains("bot-1"))
        let rebuilt = try await runTocsin(["rebuild", "--data-dir", data])
        #expect(rebuilt.status == 0 && rebuilt.output.contains("identities: rebuilt from"), "\(rebuilt.errors)")
        let again = try await runTocsin(["rebuild", "--check", "--data-dir", data])
        #expect(again.status == 0 && !again.output.contains("DIFFERENT"), "\(again.output)")
    }
}
