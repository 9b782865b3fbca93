// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOHTTP1
import Testing
import TocsinCore
import TocsinTesting

/// `tocsin serve --compliance-policy`: a rejected event is answered `400` naming the field and the
/// category, never the value, and is stored nowhere; masked, hashed and dropped values are stored
/// transformed; reported values are stored unchanged, with the finding in the enrichment.
struct ComplianceServeTests {
    static let policy = """
        compliance:
          - field: $.data.card
            categories: [payment_card]
            action: reject
          - field: $.data.contact
            action: mask
          - field: $.data.user
            action: hash
          - field: $.data.token
            action: drop
          - categories: [payment_card]
            action: reject
        """
    static let card = "4111 1111 1111 1111"
    static let token = "ghp_0123456789abcdefghijABCDEFGHIJ012345"

    static func event(_ id: String, _ data: String) -> String {
        #"{"specversion":"1.0","id":"\#(id)","source":"/shop","type":"order.placed","data":\#(data)}"#
    }

    static func post(_ server: ServerProcess, _ body: String, batch: Bool = false) async throws -> HTTPAnswer {
        let type = batch ? "application/cloudevents-batch+json" : "application/cloudevents+json"
        return try await call(
            server.baseURL + "/v1/events",
            method: .POST,
            headers: [server.authorization, ("content-type", type)],
            body: Array(body.utf8)
        )
    }

    /// Every file of the data directory and the server's log.
    static func rawBytes(_ server: ServerProcess) throws -> [UInt8] {
        var bytes: [UInt8] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: server.dataDirectory) {
            var isDirectory: ObjCBool = false
            let path = server.dataDirectory + "/" + name
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                bytes += Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            }
        }
        return bytes + Array(try Data(contentsOf: URL(fileURLWithPath: server.dataDirectory + ".log")))
    }

    static func contains(_ bytes: [UInt8], _ text: String) -> Bool {
        let needle = Array(text.utf8)
        return (0...(bytes.count - needle.count)).contains { bytes[$0..<$0 + needle.count].elementsEqual(needle) }
    }

    @Test(.timeLimit(.minutes(3))) func policiesApplyAtIngest() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let policy = directory.path + "/compliance.yaml"
        try Data(Self.policy.utf8).write(to: URL(fileURLWithPath: policy))
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: ["--compliance-policy", policy]
        )

        // reject: 400 naming the path and the category; the value is nowhere.
        let rejected = try await Self.post(server, Self.event("r1", #"{"card":"\#(Self.card)"}"#))
        #expect(rejected.status == 400)
        #expect(rejected.json?["type"]?.stringValue == "urn:tocsin:problem:compliance-rejected")
        #expect(rejected.json?["path"]?.stringValue == "$.data.card")
        #expect(rejected.json?["category"]?.stringValue == "payment_card")
        #expect(!Self.contains(rejected.body, Self.card))

        // In a batch, the answer names the entry and nothing of the batch is stored.
        let batch =
            "[" + Self.event("b0", #"{"note":"fine"}"#) + "," + Self.event("b1", #"{"card":"\#(Self.card)"}"#) + "]"
        let batchAnswer = try await Self.post(server, batch, batch: true)
        #expect(batchAnswer.status == 400)
        #expect(batchAnswer.json?.integer("index") == 1)
        #expect(batchAnswer.json?["path"]?.stringValue == "$.data.card")
        #expect(try await server.events(type: "order.placed").isEmpty)

        // A source body: the answer names the record.
        let records = [
            #"{"eventVersion":"1.08","eventTime":"2026-11-01T00:00:00Z","eventSource":"s3.amazonaws.com","#
                + #""eventName":"GetObject","awsRegion":"us-east-1","eventID":"ok-1"}"#,
            #"{"eventVersion":"1.08","eventTime":"2026-11-01T00:00:01Z","eventSource":"s3.amazonaws.com","#
                + #""eventName":"PutObject","awsRegion":"us-east-1","eventID":"bad-1","#
                + #""requestParameters":{"note":"\#(Self.card)"}}"#,
        ]
        let source = try await call(
            server.baseURL + "/v1/sources/cloudtrail",
            method: .POST,
            headers: [server.authorization, ("content-type", "application/json")],
            body: Array(#"{"Records":[\#(records.joined(separator: ","))]}"#.utf8)
        )
        #expect(source.status == 400)
        #expect(source.json?.integer("index") == 1)
        #expect(source.json?["path"]?.stringValue == "$.data.requestParameters.note")
        #expect(source.json?["category"]?.stringValue == "payment_card")
        #expect(!Self.contains(source.body, Self.card))

        // mask, hash, drop store the transformed value; report stores it unchanged.
        let data =
            #"{"contact":"alice@example.com","user":"bob@example.com","token":"\#(Self.token)","#
            + #""note":"carol@example.com","plain":"nothing here"}"#
        let accepted = try await Self.post(server, Self.event("a1", data))
        let sequence = try #require(accepted.json?.integer("seq"), "publish answered \(accepted.status)")
        let stored = try await call(server.baseURL + "/v1/events/\(sequence)", headers: [server.authorization]).json
        let storedData = try #require(stored?["event"]?["data"])
        #expect(storedData["contact"]?.stringValue == "[masked:email]")
        let hashed = try #require(storedData["user"]?.stringValue)
        #expect(hashed.hasPrefix("hmac-sha256:") && hashed.count == "hmac-sha256:".count + 64)
        #expect(storedData["token"] == nil)
        #expect(storedData["note"]?.stringValue == "carol@example.com")
        #expect(storedData["plain"]?.stringValue == "nothing here")
        guard case .array(let recorded)? = stored?["enrichment"]?["compliance"] else {
            Issue.record("no findings in the enrichment")
            return
        }
        #expect(
            recorded.map(\.stringValue) == [
                "mask email $.data.contact", "hash email $.data.user", "drop github_token $.data.token",
                "report email $.data.note",
            ]
        )

        // Equal values hash equally (the key is kept in the data directory, owner-only).
        let again = try await Self.post(server, Self.event("a2", #"{"user":"bob@example.com"}"#))
        let second = try #require(again.json?.integer("seq"))
        let secondData = try await call(server.baseURL + "/v1/events/\(second)", headers: [server.authorization]).json
        #expect(secondData?["event"]?["data"]?["user"]?.stringValue == hashed)
        let attributes = try FileManager.default.attributesOfItem(atPath: server.dataDirectory + "/compliance.key")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        #expect(await server.terminate() == 0)
        let raw = try Self.rawBytes(server)
        for secret in [Self.card, "alice@example.com", "bob@example.com", Self.token] {
            #expect(!Self.contains(raw, secret), "found a value the policy removed")
        }

        // The report over the data directory counts the finding kept and what the policy did.
        let report = try await runTocsin(
            ["compliance", "report", "--data-dir", server.dataDirectory, "--format", "json"]
        )
        #expect(report.status == 0, "\(report.errors)")
        let document = try JSONParser().parse(report.output.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(document["findings"]?.integer("email") == 1, "carol's address, reported and kept")
        #expect(document["ingest_actions"]?["hash"]?.integer("email") == 2)
        #expect(document["ingest_actions"]?["drop"]?.integer("github_token") == 1)
        #expect(!report.output.contains("carol@example.com"))
        let markdown = try await runTocsin(["compliance", "report", "--data-dir", server.dataDirectory])
        #expect(markdown.output.contains("| `email` | 1 |"), "\(markdown.output)")
    }

    @Test("a target with redact_categories receives events without those categories; others get them")
    func perTargetRedaction() async throws {
        let receiver = try await TestReceiver.start()
        defer { receiver.stop() }
        let fullReceiver = try await TestReceiver.start()
        defer { fullReceiver.stop() }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await ServerProcess.start(dataDirectory: directory.path + "/data")
        defer { Task { _ = await server.terminate() } }
        try await server.define(
            "target",
            "redacted",
            #"{"kind":"webhook","url":"\#(receiver.url)","redact_categories":["email","ip_address"]}"#
        )
        try await server.define("target", "full", #"{"kind":"webhook","url":"\#(fullReceiver.url)"}"#)
        try await server.define(
            "rule",
            "orders",
            #"{"pattern":{"type":["order.placed"]},"targets":[{"target":"redacted"},{"target":"full"}]}"#
        )
        let data = #"{"user":"alice@example.com","ip":"203.0.113.7","token":"\#(Self.token)","n":1}"#
        let answer = try await Self.post(server, Self.event("t1", data))
        #expect(answer.status == 202)
        #expect(await receiver.waitFor { $0.received.count == 1 })
        #expect(await fullReceiver.waitFor { $0.received.count == 1 })
        let redacted = String(decoding: try #require(receiver.received.first).body, as: UTF8.self)
        let full = String(decoding: try #require(fullReceiver.received.first).body, as: UTF8.self)
        #expect(!redacted.contains("alice@example.com") && !redacted.contains("203.0.113.7"))
        #expect(redacted.contains(Self.token), "categories not named are kept")
        #expect(redacted.contains("\"n\":1"))
        #expect(full.contains("alice@example.com") && full.contains("203.0.113.7"))
    }
}
