// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TocsinCore
import TocsinResponse
import TocsinServer
import TocsinTesting

/// `/v1/alerts` and `/v1/incidents`: filters as parsed, transitions, 404/409 problems, bodies and roles.
struct IncidentRouteTests {
    static func send(
        _ client: some TestClientProtocol,
        _ uri: String,
        method: HTTPRequest.Method = .get,
        role: Role = .responder,
        body: String? = nil
    ) async throws -> TestAPI.Answer {
        try await TestAPI.send(client, uri, method: method, role: role, body: body)
    }

    static func alert(_ rule: String, ip: String, level: Alert.Level = .high) -> Alert {
        Alert(
            rule: rule,
            title: "\(rule) fired",
            level: level,
            kind: .sigma,
            evidence: [7],
            group: [.init(field: "src_ip", value: .string(ip))],
            firstEventMilliseconds: 1_800_000_000_000,
            lastEventMilliseconds: 1_800_000_000_000,
            identity: "\(rule)/\(ip)"
        )
    }

    @Test("alert filters reach the back end as parsed")
    func alertFilters() async throws {
        let memory = MemoryIncidents()
        try await TestAPI(incidents: memory).application.test(.router) { client in
            let uri =
                "/v1/alerts?rule=ssh&level=high,critical&since=2027-01-15T08:00:00Z&until=2027-01-15T09:00:00.5Z"
                + "&incident=3&after=10&limit=5"
            let answer = try await Self.send(client, uri, role: .reader)
            #expect(answer.status == .ok)
            #expect(
                memory.alertFilters.last
                    == AlertFilter(
                        rule: "ssh",
                        levels: [.high, .critical],
                        since: 1_800_000_000_000,
                        until: 1_800_003_600_500,
                        incident: 3,
                        after: 10,
                        limit: 5
                    )
            )
            let plain = try await Self.send(client, "/v1/alerts")
            #expect(plain.status == .ok)
            #expect(memory.alertFilters.last == AlertFilter())
        }
    }

    @Test(
        "a bad filter is a 400 naming the parameter",
        arguments: [
            ("/v1/alerts?level=sev1", "level"), ("/v1/alerts?since=yesterday", "since"),
            ("/v1/alerts?until=2027-13-01T00:00:00Z", "until"), ("/v1/alerts?incident=-1", "incident"),
            ("/v1/alerts?after=x", "after"), ("/v1/alerts?limit=0", "limit"), ("/v1/alerts?limit=1001", "limit"),
            ("/v1/alerts?rules=ssh", "rules"), ("/v1/incidents?status=opened", "status"),
            ("/v1/incidents?staus=open", "staus"), ("/v1/incidents?limit=x", "limit"), ("/v1/incidents/abc", "id"),
        ]
    )
    func badFilters(_ uri: String, _ parameter: String) async throws {
        let memory = MemoryIncidents()
        try await TestAPI(incidents: memory).application.test(.router) { client in
            let answer = try await Self.send(client, uri)
            #expect(answer.status == .badRequest)
            #expect(answer.json?["type"] == .string("urn:tocsin:problem:invalid-parameter"))
            #expect(answer.json?["parameter"] == .string(parameter))
        }
        #expect(memory.alertFilters.isEmpty && memory.incidentFilters.isEmpty, "nothing reached the back end")
    }

    @Test("incident filters reach the back end as parsed")
    func incidentFilters() async throws {
        let memory = MemoryIncidents()
        try await TestAPI(incidents: memory).application.test(.router) { client in
            let uri = "/v1/incidents?status=open,acknowledged&rule=ssh&assignee=bob&limit=2"
            let answer = try await Self.send(client, uri, role: .reader)
            #expect(answer.status == .ok)
            #expect(
                memory.incidentFilters.last
                    == IncidentFilter(statuses: [.open, .acknowledged], rule: "ssh", assignee: "bob", limit: 2)
            )
        }
    }

    @Test("alerts and incidents read back; unknown ids are 404")
    func reads() async throws {
        let memory = MemoryIncidents()
        memory.raise(Self.alert("ssh", ip: "203.0.113.9"))
        memory.raise(Self.alert("ssh", ip: "203.0.113.9", level: .critical))
        try await TestAPI(incidents: memory).application.test(.router) { client in
            let list = try await Self.send(client, "/v1/alerts?limit=1", role: .reader)
            #expect(list.json?["alerts"]?.items?.count == 1 && list.json?["next"] == .number(JSONNumber(1)))
            let alert = try await Self.send(client, "/v1/alerts/alert-2", role: .reader)
            #expect(alert.json?["level"] == .string("critical") && alert.json?["incident"] == .number(JSONNumber(1)))
            #expect(try await Self.send(client, "/v1/alerts/alert-9").status == .notFound)
            let incident = try await Self.send(client, "/v1/incidents/1", role: .reader)
            #expect(incident.json?["alert_count"] == .number(JSONNumber(2)))
            #expect(incident.json?["alerts"]?.items?.map { $0["id"] } == [.string("alert-2"), .string("alert-1")])
            #expect(incident.json?["alerts"]?.items?.first?["evidence"] == .array([.number(JSONNumber(7))]))
            let missing = try await Self.send(client, "/v1/incidents/9")
            #expect(missing.status == .notFound && missing.json?["type"] == .string("urn:tocsin:problem:not-found"))
            let listed = try await Self.send(client, "/v1/incidents")
            #expect(listed.json?["incidents"]?.items?.first?["status"] == .string("open"))
        }
    }

    @Test("acknowledge, assign and close answer with the updated incident; invalid transitions are 409")
    func transitions() async throws {
        let memory = MemoryIncidents()
        memory.raise(Self.alert("ssh", ip: "203.0.113.9"))
        try await TestAPI(incidents: memory).application.test(.router) { client in
            let acknowledged = try await Self.send(
                client,
                "/v1/incidents/1/acknowledge",
                method: .post,
                body: #"{"note":"looking"}"#
            )
            #expect(acknowledged.status == .ok && acknowledged.json?["status"] == .string("acknowledged"))
            let history = acknowledged.json?["history"]?.items?.first
            #expect(history?["actor"] == .string("responder") && history?["note"] == .string("looking"))
            let twice = try await Self.send(client, "/v1/incidents/1/acknowledge", method: .post)
            #expect(twice.status == .conflict && twice.json?["reason"] == .string("already-acknowledged"))
            #expect(twice.json?["type"] == .string("urn:tocsin:problem:invalid-transition"))
            let assigned = try await Self.send(
                client,
                "/v1/incidents/1/assign",
                method: .post,
                role: .admin,
                body: #"{"assignee":"bob","note":"yours"}"#
            )
            #expect(assigned.status == .ok && assigned.json?["assignee"] == .string("bob"))
            #expect(assigned.json?["history"]?.items?.last?["actor"] == .string("admin"))
            let closed = try await Self.send(client, "/v1/incidents/1/close", method: .post, body: #"{"note":"done"}"#)
            #expect(closed.status == .ok && closed.json?["status"] == .string("closed"))
            let again = try await Self.send(client, "/v1/incidents/1/close", method: .post)
            #expect(again.status == .conflict && again.json?["reason"] == .string("closed"))
            let late = try await Self.send(client, "/v1/incidents/1/assign", method: .post, body: #"{"assignee":"x"}"#)
            #expect(late.status == .conflict)
            #expect(try await Self.send(client, "/v1/incidents/9/close", method: .post).status == .notFound)
            #expect(try await Self.send(client, "/v1/incidents/0/close", method: .post).status == .badRequest)
        }
    }

    @Test(
        "action bodies: known members only, strings, a required assignee, the body limit",
        arguments: [
            ("acknowledge", #"{"assignee":"bob"}"#, "assignee"), ("close", #"{"nope":1}"#, "nope"),
            ("close", #"{"note":5}"#, "note"), ("assign", "{}", "assignee"),
            ("assign", #"{"assignee":""}"#, "assignee"),
            ("assign", #"[]"#, "body"), ("close", #"{"note":"\#(String(repeating: "n", count: 4097))"}"#, "note"),
        ]
    )
    func bodies(_ verb: String, _ body: String, _ member: String) async throws {
        let memory = MemoryIncidents()
        memory.raise(Self.alert("ssh", ip: "203.0.113.9"))
        try await TestAPI(
            configure: { $0.maxBodyBytes = 8192 },
            incidents: memory
        ).application.test(.router) { client in
            let answer = try await Self.send(client, "/v1/incidents/1/\(verb)", method: .post, body: body)
            #expect(answer.status == .badRequest)
            #expect(answer.json?["type"] == .string("urn:tocsin:problem:invalid-incident-request"))
            #expect(answer.json?["member"] == .string(member))
            let untouched = try await Self.send(client, "/v1/incidents/1")
            #expect(untouched.json?["status"] == .string("open") && untouched.json?["history"]?.items?.isEmpty == true)
        }
    }

    @Test("bodies over the limit are 413 and invalid JSON is 400")
    func oversized() async throws {
        let memory = MemoryIncidents()
        memory.raise(Self.alert("ssh", ip: "203.0.113.9"))
        try await TestAPI(incidents: memory).application.test(.router) { client in
            let large = #"{"note":"\#(String(repeating: "n", count: 5000))"}"#
            let answer = try await Self.send(client, "/v1/incidents/1/close", method: .post, body: large)
            #expect(answer.status == .contentTooLarge)
            let broken = try await Self.send(client, "/v1/incidents/1/close", method: .post, body: "{")
            #expect(broken.status == .badRequest && broken.json?["type"] == .string("urn:tocsin:problem:invalid-json"))
        }
    }

    @Test("readers read alerts and incidents but may not act; responders and admins act; publishers do neither")
    func roles() async throws {
        let memory = MemoryIncidents()
        memory.raise(Self.alert("ssh", ip: "203.0.113.9"))
        try await TestAPI(incidents: memory).application.test(.router) { client in
            for role in [Role.reader, .responder, .admin] {
                #expect(try await Self.send(client, "/v1/incidents", role: role).status == .ok)
                #expect(try await Self.send(client, "/v1/alerts", role: role).status == .ok)
            }
            for role in [Role.publisher, .feed] {
                let answer = try await Self.send(client, "/v1/alerts", role: role)
                #expect(answer.status == .forbidden && answer.json?["permission"] == .string("incidents:read"))
            }
            let refused = try await Self.send(client, "/v1/incidents/1/close", method: .post, role: .reader)
            #expect(refused.status == .forbidden && refused.json?["permission"] == .string("incidents:act"))
            #expect(try await Self.send(client, "/v1/incidents/1").json?["status"] == .string("open"))
        }
    }
}

extension JSONValue {
    var items: [JSONValue]? {
        if case .array(let items) = self {
            return items
        }
        return nil
    }
}
