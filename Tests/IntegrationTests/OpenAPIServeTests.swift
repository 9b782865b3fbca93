// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOHTTP1
import Testing
import TocsinCore
import TocsinTesting

/// `docs/openapi.json` against a real `tocsin serve`: the served copy, each operation's permission, and
/// schemathesis.
struct OpenAPIServeTests {
    /// The repository root, found from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var document: [UInt8] {
        get throws { Array(try Data(contentsOf: root.appendingPathComponent("docs/openapi.json"))) }
    }

    @Test("GET /openapi.json serves docs/openapi.json byte for byte, without a credential")
    func servedDocument() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await ServerProcess.start(dataDirectory: directory.path + "/data")
        defer { Task { _ = await server.terminate() } }
        let answer = try await call(server.baseURL + "/openapi.json")
        #expect(answer.status == 200)
        #expect(answer.body == (try Self.document))
    }

    @Test("a feed key is refused every documented operation but the blocklist, naming the documented permission")
    func documentedPermissions() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await ServerProcess.start(dataDirectory: directory.path + "/data")
        defer { Task { _ = await server.terminate() } }
        let feed = try await createKey(server, name: "feed-probe", role: "feed")
        let document = try JSONParser().parse(try Self.document)
        guard case .object(let paths)? = document["paths"] else {
            Issue.record("docs/openapi.json has no paths")
            return
        }
        var probed = 0
        for path in paths.members where path.name.hasPrefix("/v1") {
            guard case .object(let item) = path.value else { continue }
            for operation in item.members where operation.name != "parameters" {
                guard case .string(let permission)? = operation.value["x-tocsin-permission"] else {
                    Issue.record("\(operation.name) \(path.name) names no permission")
                    continue
                }
                let concrete = path.name.replacingOccurrences(of: "{format}", with: "okta")
                    .replacingOccurrences(of: "{seq}", with: "1").replacingOccurrences(of: "{id}", with: "1")
                    .replacingOccurrences(of: "{name}", with: "x")
                let answer = try await call(
                    server.baseURL + concrete,
                    method: HTTPMethod(rawValue: operation.name.uppercased()),
                    headers: [("Authorization", "Bearer \(feed)")]
                )
                probed += 1
                if permission == "blocklist:read" {
                    #expect(answer.status == 200, "\(operation.name) \(path.name)")
                } else {
                    #expect(answer.status == 403, "\(operation.name) \(path.name): \(answer.status)")
                    #expect(
                        answer.json?["permission"] == .string(permission),
                        "\(operation.name) \(path.name) needs \(answer.json?["permission"].map { "\($0)" } ?? "?")"
                    )
                }
            }
        }
        #expect(probed == 44)
    }

    @Test("schemathesis finds no 5xx and no answer outside the document", .timeLimit(.minutes(5)))
    func schemathesis() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await ServerProcess.start(dataDirectory: directory.path + "/data")
        defer { Task { _ = await server.terminate() } }
        // A key of its own: a generated request that revokes or rotates `admin` cannot lock the run out.
        let key = try await createKey(server, name: "schemathesis", role: "admin")
        let run = try await runProgram(
            "/bin/bash",
            [Self.root.appendingPathComponent("scripts/schemathesis.sh").path, server.baseURL, key]
        )
        #expect(
            run.status == 0,
            "schemathesis failed (status \(run.status)):\n\(run.output.suffix(12_000))\n\(run.errors.suffix(4000))"
        )
    }

    private func createKey(_ server: ServerProcess, name: String, role: String) async throws -> String {
        let created = try await call(
            server.baseURL + "/v1/keys",
            method: .POST,
            headers: [("Authorization", "Bearer \(server.adminKey)"), ("Content-Type", "application/json")],
            body: Array(#"{"name":"\#(name)","roles":["\#(role)"]}"#.utf8)
        )
        guard created.status == 201, case .string(let key)? = created.json?["key"] else {
            throw HarnessError(description: "creating the \(role) key answered \(created.status)")
        }
        return key
    }
}
