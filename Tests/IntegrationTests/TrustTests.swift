// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOHTTP1
import Testing
import TocsinCore
import TocsinTesting

/// Identities, scopes, host configuration and self-audit against the real binary.
struct TrustTests {
    func serve() async throws -> (ServerProcess, TemporaryDirectory) {
        let directory = try TemporaryDirectory()
        return (try await ServerProcess.start(dataDirectory: directory.path + "/data"), directory)
    }

    func cli(
        _ server: ServerProcess,
        _ arguments: [String]
    ) async throws -> (status: Int32, output: String, errors: String) {
        try await runTocsin(arguments + ["--server", server.baseURL, "--data-dir", server.dataDirectory])
    }

    func publish(_ server: ServerProcess, key: String, source: String, id: String) async throws -> Int {
        try await call(
            server.baseURL + "/v1/events",
            method: .POST,
            headers: [
                ("Authorization", "Bearer \(key)"), ("ce-specversion", "1.0"), ("ce-id", id), ("ce-source", source),
                ("ce-type", "user.session.start"), ("content-type", "application/json"),
            ],
            body: Array("{}".utf8)
        ).status
    }

    @Test("tocsin keys: a scoped publisher key is printed once, works in scope only, and is revoked at once")
    func keysLifecycle() async throws {
        let (server, _) = try await serve()
        defer { Task { _ = await server.terminate() } }
        let created = try await cli(
            server,
            ["keys", "create", "okta-hook", "--role", "publisher", "--scope", #"{"source":[{"prefix":"/okta/"}]}"#]
        )
        #expect(created.status == 0, "\(created.errors)")
        let key = try #require(created.output.split(separator: "\n").first { $0.hasPrefix("key: ") }?.dropFirst(5))
        #expect(try await publish(server, key: String(key), source: "/okta/org", id: "1") == 202)
        #expect(try await publish(server, key: String(key), source: "/ssh/bastion", id: "2") == 403)
        #expect(
            try await call(server.baseURL + "/v1/events", headers: [("Authorization", "Bearer \(key)")]).status == 403
        )
        let listed = try await cli(server, ["keys", "list", "--output", "json"])
        #expect(listed.output.contains("\"okta-hook\"") && !listed.output.contains(String(key)), "never a secret")
        #expect(try await cli(server, ["keys", "revoke", "okta-hook"]).status == 0)
        #expect(try await publish(server, key: String(key), source: "/okta/org", id: "3") == 401)
        let events = try await server.events(type: "tocsin.key.created") + server.events(type: "tocsin.key.revoked")
        #expect(events.count == 2)
        #expect(events.allSatisfy { $0["event"]?["data"]?["actor"] == .string("admin") })
        #expect(!JSONWriter().string(.array(events)).contains(String(key)), "the log never holds a key")
        let database = try Data(contentsOf: URL(fileURLWithPath: server.dataDirectory + "/tocsin.db"))
        #expect(database.range(of: Data(key.utf8)) == nil)
    }

    @Test("rotating the admin key rewrites admin.key; the old key stops working")
    func rotateAdmin() async throws {
        let (server, _) = try await serve()
        defer { Task { _ = await server.terminate() } }
        let old = server.adminKey
        let rotated = try await cli(server, ["keys", "rotate", "admin"])
        #expect(rotated.status == 0, "\(rotated.errors)")
        let new = server.adminKey
        #expect(new != old && rotated.output.contains(new))
        #expect(
            try await call(server.baseURL + "/v1/events", headers: [("Authorization", "Bearer \(old)")]).status == 401
        )
        #expect(
            try await call(server.baseURL + "/v1/events", headers: [("Authorization", "Bearer \(new)")]).status == 200
        )
        let attributes = try FileManager.default.attributesOfItem(atPath: server.dataDirectory + "/admin.key")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test("exec targets and nft_file blocklists are refused over the API, saying where they belong")
    func hostConfiguration() async throws {
        let (server, directory) = try await serve()
        defer { Task { _ = await server.terminate() } }
        for (name, json) in [
            ("run", #"{"kind":"exec","command":"/bin/sh","args":["-c","id"]}"#),
            ("nft", #"{"kind":"blocklist","ip_path":"$.data.ip","nft_file":"\#(directory.path)/x.nft"}"#),
        ] {
            let answer = try await call(
                "\(server.baseURL)/v1/targets/\(name)",
                method: .PUT,
                headers: [server.authorization],
                body: Array(json.utf8)
            )
            #expect(answer.status == 403)
            #expect(answer.json?["detail"]?.stringValue?.contains("rules directory") == true)
        }
        try await server.define("target", "feed", #"{"kind":"blocklist","ip_path":"$.data.ip"}"#)
        let targets = try await call(server.baseURL + "/v1/targets", headers: [server.authorization]).json?["targets"]
        #expect(targets?["run"] == nil && targets?["nft"] == nil && targets?["feed"] != nil)
    }

    @Test("GET /v1/targets, tocsin.target.* events and the log never show a Slack URL's path")
    func slackURLStaysSecret() async throws {
        let (server, _) = try await serve()
        defer { Task { _ = await server.terminate() } }
        let token = "S3CR3TT0K3NXYZ"
        try await server.define(
            "target",
            "chat",
            #"{"kind":"slack","url":"https://hooks.slack.com/services/T0/B0/\#(token)"}"#
        )
        let listed = try await call(server.baseURL + "/v1/targets", headers: [server.authorization])
        let one = try await call(server.baseURL + "/v1/targets/chat", headers: [server.authorization])
        let events = try await server.eventually({ try await server.events(type: "tocsin.target.created") }) {
            !$0.isEmpty
        }
        let log = try String(contentsOfFile: server.dataDirectory + ".log", encoding: .utf8)
        let shown = [String(decoding: listed.body, as: UTF8.self), String(decoding: one.body, as: UTF8.self)]
        for text in shown + [JSONWriter().string(.array(events)), log] {
            #expect(!text.contains(token) && !text.contains("/services/"), "\(text)")
        }
        #expect(shown.allSatisfy { $0.contains("hmac-sha256:") && $0.contains("https://hooks.slack.com/") })
    }

    @Test("refused requests become tocsin.auth.denied events, and a flood from one address opens an incident")
    func selfAudit() async throws {
        let (server, _) = try await serve()
        defer { Task { _ = await server.terminate() } }
        for index in 0..<12 {
            let guess = "tsk_guess\(index)"
            #expect(
                try await call(server.baseURL + "/v1/events", headers: [("Authorization", "Bearer \(guess)")]).status
                    == 401
            )
        }
        let denied = try await server.eventually({ try await server.events(type: "tocsin.auth.denied") }) { events in
            events.reduce(0) { $0 + ($1["event"]?["data"]?.integer("count") ?? 0) } == 12
        }
        let data = denied.first?["event"]?["data"]
        #expect(data?["reason"] == .string("unknown-key"))
        #expect(data?["address"] == .string("127.0.0.1"))
        #expect(data?["route"] == .string("/v1/events"))
        #expect(denied.first?["event"]?["source"] == .string("/tocsin/auth"))
        #expect(!JSONWriter().string(.array(denied)).contains("tsk_guess"), "never the presented secret")
        let incidents = try await server.eventually({
            try await call(server.baseURL + "/v1/incidents", headers: [server.authorization]).json?["incidents"]
        }) { value in
            if case .array(let items)? = value, !items.isEmpty { return true }
            return false
        }
        #expect(incidents?.array?.first?["key"] == .string("127.0.0.1"))
        #expect(incidents?.array?.first?["rule"] == .string("tocsin-auth-flood"))
    }

    @Test("--insecure-no-auth is refused off loopback")
    func insecureOnlyOnLoopback() async throws {
        let directory = try TemporaryDirectory()
        for arguments in [["--insecure-no-auth"], []] {
            let result = try await runTocsin(
                ["serve", "--data-dir", directory.path + "/data", "--http", "0.0.0.0:0"] + arguments,
                environment: arguments.isEmpty ? ["TOCSIN_INSECURE_NO_AUTH": "1"] : [:]
            )
            #expect(result.status != 0)
            #expect(result.errors.contains("refused on 0.0.0.0"))
        }
    }
}
