// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOHTTP1
import Testing
import TocsinCore
import TocsinTesting

/// Alerts and incidents on a real server: an `incident` target raises alerts, the projection groups
/// them, one notification goes out per incident, and people act on incidents over HTTP and the CLI.
struct IncidentTests {
    func post(_ server: ServerProcess, _ path: String, _ body: String = "{}") async throws -> HTTPAnswer {
        try await call(server.baseURL + path, method: .POST, headers: [server.authorization], body: Array(body.utf8))
    }

    func incidents(_ server: ServerProcess, _ query: String = "") async throws -> [JSONValue] {
        try await call(server.baseURL + "/v1/incidents" + query, headers: [server.authorization]).json?["incidents"]?
            .array ?? []
    }

    func alerts(_ server: ServerProcess, _ query: String = "") async throws -> [JSONValue] {
        try await call(server.baseURL + "/v1/alerts" + query, headers: [server.authorization]).json?["alerts"]?
            .array ?? []
    }

    @Test("one notification per incident; list, acknowledge, assign and close over HTTP and the CLI")
    func lifecycle() async throws {
        let receiver = try await TestReceiver.start()
        defer { receiver.stop() }
        let directory = try TemporaryDirectory()
        let server = try await ServerProcess.start(dataDirectory: directory.path + "/data")
        defer { Task { _ = await server.terminate() } }
        try await server.define(
            "target",
            "cases",
            #"{"kind":"incident","key_path":"$.data.user","title_path":"$.data.summary","severity":"critical"}"#
        )
        try await server.define(
            "rule",
            "ssh",
            #"{"pattern":{"type":["ssh.login.failed"]},"targets":[{"target":"cases"}]}"#
        )
        try await server.define("target", "chat", #"{"kind":"webhook","url":"\#(receiver.url)"}"#)
        try await server.define(
            "rule",
            "notify",
            #"{"pattern":{"type":["tocsin.incident.opened"]},"targets":[{"target":"chat"}]}"#
        )
        let users = ["root", "root", "alice", "root"]
        _ = try await server.publish(type: "ssh.login.failed", ids: ["0", "1", "2", "3"]) { id in
            #"{"user":"\#(users[Int(id)!])","summary":"failed login"}"#
        }
        let grouped = try await server.eventually({ try await self.incidents(server) }) { incidents in
            incidents.map { $0.integer("alert_count") ?? 0 }.sorted() == [1, 3]
        }
        let root = try #require(grouped.first { $0["key"] == .string("root") })
        #expect(root["title"] == .string("failed login") && root["level"] == .string("critical"))
        #expect(root["status"] == .string("open") && root["rule"] == .string("ssh"))
        let rootID = try #require(root.integer("id"))
        // Delivery is at least once: a retried request carries the same idempotency key.
        #expect(
            await receiver.waitFor(timeout: .seconds(60)) { $0.distinctKeys.count == 2 },
            "\(receiver.received.count)"
        )
        #expect(try await server.events(type: "tocsin.incident.opened").count == 2, "one announcement per incident")
        let notified = receiver.received.compactMap { try? JSONParser().parse($0.body) }
        #expect(Set(notified.compactMap { $0["data"]?["key"]?.stringValue }) == ["root", "alice"])

        #expect(try await alerts(server, "?rule=ssh").count == 4)
        #expect(try await alerts(server, "?level=critical&incident=\(rootID)").count == 3)
        #expect(try await alerts(server, "?level=low").isEmpty)
        let page = try await call(server.baseURL + "/v1/alerts?limit=3", headers: [server.authorization]).json
        #expect(page?["alerts"]?.array?.count == 3 && page?.integer("next") != nil)
        let alertID = try #require(try await alerts(server).first?["id"]?.stringValue)
        let alert = try await call(server.baseURL + "/v1/alerts/\(alertID)", headers: [server.authorization])
        #expect(alert.status == 200 && alert.json?["kind"] == .string("pattern"))

        let acknowledged = try await post(server, "/v1/incidents/\(rootID)/acknowledge", #"{"note":"on it"}"#)
        #expect(acknowledged.status == 200 && acknowledged.json?["status"] == .string("acknowledged"))
        let assigned = try await post(server, "/v1/incidents/\(rootID)/assign", #"{"assignee":"bob"}"#)
        #expect(assigned.status == 200 && assigned.json?["assignee"] == .string("bob"))
        let closed = try await post(server, "/v1/incidents/\(rootID)/close", #"{"note":"blocked at edge"}"#)
        #expect(closed.status == 200 && closed.json?["status"] == .string("closed"))
        #expect(
            closed.json?["history"]?.array?.map { $0["action"]?.stringValue } == ["acknowledged", "assigned", "closed"]
        )
        let again = try await post(server, "/v1/incidents/\(rootID)/close")
        #expect(again.status == 409 && again.json?["reason"] == .string("closed"))
        #expect(try await post(server, "/v1/incidents/999/acknowledge").status == 404)
        let actions = try await server.events(type: "tocsin.incident.closed")
        #expect(actions.count == 1 && actions.first?["event"]?["data"]?["actor"] == .string("admin"))
        #expect(actions.first?["event"]?["data"]?["note"] == .string("blocked at edge"))

        _ = try await server.publish(type: "ssh.login.failed", ids: ["4"]) { _ in #"{"user":"root"}"# }
        let reopened = try await server.eventually({ try await self.incidents(server, "?status=open") }) {
            $0.contains { $0["key"] == .string("root") }
        }
        let newID = try #require(reopened.first { $0["key"] == .string("root") }?.integer("id"))
        #expect(newID != rootID, "an alert for a closed incident's key opens a new incident")
        #expect(
            await receiver.waitFor(timeout: .seconds(60)) { $0.distinctKeys.count == 3 },
            "\(receiver.received.count)"
        )

        let client = ["--server", server.baseURL, "--key", server.adminKey]
        let listed = try await runTocsin(["incidents", "list", "--status", "open"] + client)
        #expect(listed.status == 0 && listed.output.contains("#\(newID)  open  critical  ssh"))
        let ack = try await runTocsin(["incidents", "ack", String(newID), "--note", "mine"] + client)
        #expect(ack.status == 0 && ack.output.contains("acknowledged"))
        let closedTwice = try await runTocsin(["incidents", "close", String(rootID)] + client)
        #expect(closedTwice.status == 1 && closedTwice.errors.contains("409"))
        let shown = try await runTocsin(["incidents", "show", String(newID)] + client)
        #expect((try? JSONParser().parse(shown.output))?["history"]?.array?.count == 1)
        let alertLines = try await runTocsin(["alerts", "list", "--rule", "ssh", "--limit", "4"] + client)
        #expect(alertLines.status == 0 && alertLines.output.split(separator: "\n").count == 4)
    }
}
