// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOHTTP1
import Testing
import TocsinCore
import TocsinTesting

/// The HTTP API of a real `tocsin serve` on loopback with a temporary data directory.
struct IngestionTests {
    func withServer(arguments: [String] = [], _ body: (ServerProcess) async throws -> Void) async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-it")
        defer { directory.remove() }
        let server = try await ServerProcess.start(dataDirectory: directory.path + "/data", arguments: arguments)
        do {
            try await body(server)
        } catch {
            _ = await server.terminate()
            throw error
        }
        #expect(await server.terminate() == 0)
    }

    func auth(_ server: ServerProcess) -> [(String, String)] {
        [("Authorization", "Bearer \(server.adminKey)")]
    }

    func structured(_ id: String, type: String = "ssh.login.failed", extra: String = "") -> String {
        #"{"specversion":"1.0","id":"\#(id)","source":"/ssh/bastion-1","type":"\#(type)"\#(extra),"data":{"user":"root"}}"#
    }

    @Test("binary, structured and batch modes are acknowledged with sequence numbers")
    func threeModes() async throws {
        try await withServer { server in
            let binary = try await call(
                server.baseURL + "/v1/events",
                method: .POST,
                headers: auth(server) + [
                    ("ce-specversion", "1.0"), ("ce-id", "1"), ("ce-source", "/ssh/bastion-1"),
                    ("ce-type", "ssh.login.failed"), ("content-type", "application/json"),
                ],
                body: Array(#"{"user":"root","ip":"203.0.113.9"}"#.utf8)
            )
            #expect(binary.status == 202)
            #expect(binary.json?["seq"] == .number(JSONNumber(1)))
            let single = try await call(
                server.baseURL + "/v1/events",
                method: .POST,
                headers: auth(server) + [("content-type", "application/cloudevents+json; charset=utf-8")],
                body: Array(structured("2").utf8)
            )
            #expect(single.status == 202 && single.json?["seq"] == .number(JSONNumber(2)))
            let batch = try await call(
                server.baseURL + "/v1/events",
                method: .POST,
                headers: auth(server) + [("content-type", "application/cloudevents-batch+json")],
                body: Array("[\(structured("3")),\(structured("4"))]".utf8)
            )
            #expect(batch.status == 202)
            #expect(
                batch.json?["events"]?.jsonArray?.compactMap { $0["seq"] } == [
                    .number(JSONNumber(3)), .number(JSONNumber(4)),
                ]
            )
            let stored = try await call(server.baseURL + "/v1/events/1", headers: auth(server))
            #expect(stored.json?["event"]?["data"]?["ip"] == .string("203.0.113.9"))
        }
    }

    @Test("a batch with one invalid event is rejected whole, naming the element")
    func batchAllOrNothing() async throws {
        try await withServer { server in
            let answer = try await call(
                server.baseURL + "/v1/events",
                method: .POST,
                headers: auth(server) + [("content-type", "application/cloudevents-batch+json")],
                body: Array("[\(structured("a")),\(structured("b", extra: #","time":"noon""#))]".utf8)
            )
            #expect(answer.status == 400)
            #expect(answer.json?["attribute"] == .string("[1].time"))
            let page = try await call(server.baseURL + "/v1/events", headers: auth(server))
            #expect(page.json?["events"]?.jsonArray?.isEmpty == true)
        }
    }

    @Test("a repeated source+id is acknowledged as a duplicate with its first sequence number")
    func duplicates() async throws {
        try await withServer { server in
            let headers = auth(server) + [("content-type", "application/cloudevents+json")]
            let first = try await call(
                server.baseURL + "/v1/events",
                method: .POST,
                headers: headers,
                body: Array(structured("d").utf8)
            )
            let second = try await call(
                server.baseURL + "/v1/events",
                method: .POST,
                headers: headers,
                body: Array(structured("d").utf8)
            )
            #expect(first.json?["seq"] == second.json?["seq"])
            #expect(second.status == 202 && second.json?["duplicate"] == .bool(true))
            let page = try await call(server.baseURL + "/v1/events", headers: auth(server))
            #expect(page.json?["events"]?.jsonArray?.count == 1)
        }
    }

    @Test("401 without a valid key; health endpoints are open")
    func authentication() async throws {
        try await withServer { server in
            #expect(try await call(server.baseURL + "/v1/events").status == 401)
            let wrong = try await call(server.baseURL + "/v1/events", headers: [("Authorization", "Bearer tsk_wrong")])
            #expect(wrong.status == 401)
            #expect(wrong.headers.first(name: "content-type") == "application/problem+json")
            #expect(try await call(server.baseURL + "/healthz").status == 200)
            #expect(try await call(server.baseURL + "/readyz").status == 200)
        }
    }

    @Test("--insecure-no-auth serves /v1 without a key")
    func insecureMode() async throws {
        try await withServer(arguments: ["--insecure-no-auth"]) { server in
            #expect(try await call(server.baseURL + "/v1/events").status == 200)
            let log = try String(contentsOfFile: server.dataDirectory + ".log", encoding: .utf8)
            #expect(log.contains("AUTHENTICATION IS DISABLED"))
        }
    }

    @Test("bad input gets a precise problem and the server keeps serving")
    func badInput() async throws {
        try await withServer(arguments: ["--max-body-bytes", "4096"]) { server in
            let url = server.baseURL + "/v1/events"
            let json = auth(server) + [("content-type", "application/cloudevents+json")]
            let missing = try await call(
                url,
                method: .POST,
                headers: json,
                body: Array(#"{"specversion":"1.0","id":"1","source":"/s"}"#.utf8)
            )
            #expect(missing.status == 400)
            #expect(missing.json?["attribute"] == .string("type") && missing.json?["rule"] == .string("required"))
            let malformed = try await call(url, method: .POST, headers: json, body: Array(#"{"specversion": }"#.utf8))
            #expect(malformed.status == 400 && malformed.json?["offset"] == .number(JSONNumber(16)))
            let invalidUTF8 = try await call(
                url,
                method: .POST,
                headers: json,
                body: Array(#"{"a":""#.utf8) + [0xC3, 0x28, 0x22, 0x7D]
            )
            #expect(invalidUTF8.status == 400 && invalidUTF8.json?["reason"] == .string("invalid-utf8"))
            let deep = try await call(
                url,
                method: .POST,
                headers: json,
                body: Array(String(repeating: "[", count: 4000).utf8)
            )
            #expect(deep.status == 400 && deep.json?["reason"] == .string("too-deep"))
            let large = try await call(url, method: .POST, headers: json, body: [UInt8](repeating: 0x20, count: 5000))
            #expect(large.status == 413)
            let xml = try await call(
                url,
                method: .POST,
                headers: auth(server) + [("content-type", "application/cloudevents+xml")],
                body: [0x3C]
            )
            #expect(xml.status == 415)
            let plain = try await call(
                url,
                method: .POST,
                headers: auth(server) + [("content-type", "text/plain")],
                body: [0x61]
            )
            #expect(plain.status == 415)
            let badLimit = try await call(server.baseURL + "/v1/events?limit=0", headers: auth(server))
            #expect(badLimit.status == 400 && badLimit.json?["parameter"] == .string("limit"))
            let missingEvent = try await call(server.baseURL + "/v1/events/99", headers: auth(server))
            #expect(missingEvent.status == 404)
            let fine = try await call(url, method: .POST, headers: json, body: Array(structured("ok").utf8))
            #expect(fine.status == 202)
        }
    }

    @Test("queries filter by type, source, subject and time and page with a cursor")
    func queryAndPaging() async throws {
        try await withServer { server in
            var lines: [String] = []
            for index in 1...25 {
                let type = index % 5 == 0 ? "k8s.exec" : "ssh.login.failed"
                let minute = String(format: "%02d", index)
                lines.append(
                    structured(
                        "q\(index)",
                        type: type,
                        extra: #","subject":"s\#(index % 2)","time":"2026-11-25T10:\#(minute):00Z""#
                    )
                )
            }
            let posted = try await call(
                server.baseURL + "/v1/events",
                method: .POST,
                headers: auth(server) + [("content-type", "application/cloudevents-batch+json")],
                body: Array("[\(lines.joined(separator: ","))]".utf8)
            )
            #expect(posted.status == 202)
            let exec = try await call(server.baseURL + "/v1/events?type=k8s.exec", headers: auth(server))
            #expect(exec.json?["events"]?.jsonArray?.count == 5)
            let subject = try await call(
                server.baseURL + "/v1/events?subject=s1&source=%2Fssh%2Fbastion-1",
                headers: auth(server)
            )
            #expect(subject.json?["events"]?.jsonArray?.count == 13)
            let window = try await call(
                server.baseURL + "/v1/events?from=2026-11-25T10:05:00Z&to=2026-11-25T10:08:00Z",
                headers: auth(server)
            )
            #expect(
                window.json?["events"]?.jsonArray?.compactMap { $0["seq"] }
                    == [5, 6, 7].map { .number(JSONNumber($0)) }
            )
            var cursor: Int64 = 0
            var seen: [JSONValue] = []
            for _ in 0..<10 {
                let page = try await call(server.baseURL + "/v1/events?limit=10&after=\(cursor)", headers: auth(server))
                seen += page.json?["events"]?.jsonArray?.compactMap { $0["seq"] } ?? []
                guard case .number(let next) = page.json?["next"], let value = next.int64Value else { break }
                cursor = value
            }
            #expect(seen == (1...25).map { .number(JSONNumber(Int64($0))) })
        }
    }

    @Test("the CLI publishes, queries and verifies against the server")
    func cliRoundTrip() async throws {
        try await withServer { server in
            let environment = ["TOCSIN_SERVER": server.baseURL, "TOCSIN_DATA_DIR": server.dataDirectory]
            let published = try await runTocsin(
                [
                    "publish", "--type", "ssh.login.failed", "--source", "/ssh/b", "--id", "x1", "--data",
                    #"{"user":"root"}"#,
                ],
                environment: environment
            )
            #expect(published.status == 0 && published.output == "1\n")
            let listed = try await runTocsin(
                ["events", "--type", "ssh.login.failed", "--output", "json"],
                environment: environment
            )
            #expect(listed.status == 0)
            #expect(
                try JSONParser().parse(listed.output.trimmingCharacters(in: .newlines))["event"]?["id"] == .string("x1")
            )
            let verified = try await runTocsin(["audit", "verify", "--data-dir", server.dataDirectory])
            #expect(verified.status == 0)
        }
    }
}

extension JSONValue {
    var jsonArray: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }
}
