// SPDX-License-Identifier: Apache-2.0

import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TocsinCore
import TocsinServer
import TocsinTesting

/// `/v1/schemas` and enforcement on `POST /v1/events`: roles, problems, and nothing stored on a refusal.
struct SchemaRouteTests {
    static let schema = #"{"type":"object","required":["user"],"properties":{"user":{"type":"string"}}}"#

    static func event(_ id: String, data: String) -> String {
        #"{"specversion":"1.0","id":"\#(id)","source":"/ssh","type":"ssh.login","data":\#(data)}"#
    }

    static func send(
        _ client: some TestClientProtocol,
        _ uri: String,
        method: HTTPRequest.Method = .get,
        role: Role = .admin,
        contentType: String = "application/json",
        body: String? = nil
    ) async throws -> TestAPI.Answer {
        try await TestAPI.send(client, uri, method: method, role: role, contentType: contentType, body: body)
    }

    @Test("events of a registered type are checked; a batch with one bad event is refused whole, naming it")
    func enforcement() async throws {
        let test = TestAPI()
        let log = test.log
        try await test.application.test(.router) { client in
            let batch = "[\(Self.event("1", data: #"{"user":"root"}"#)),\(Self.event("2", data: #"{"user":7}"#))]"
            let before = try await Self.send(
                client,
                "/v1/events",
                method: .post,
                role: .publisher,
                contentType: "application/cloudevents-batch+json",
                body: batch
            )
            #expect(before.status == .accepted)
            let denied = try await Self.send(
                client,
                "/v1/schemas/ssh.login",
                method: .put,
                role: .reader,
                body: Self.schema
            )
            #expect(denied.status == .forbidden)
            let registered = try await Self.send(client, "/v1/schemas/ssh.login", method: .put, body: Self.schema)
            #expect(registered.status == .created)
            #expect(registered.json?["digest"]?.stringValue?.hasPrefix("sha256:") == true)
            let refused = try await Self.send(
                client,
                "/v1/events",
                method: .post,
                role: .publisher,
                contentType: "application/cloudevents-batch+json",
                body: batch.replacingOccurrences(of: #""id":"1""#, with: #""id":"3""#)
                    .replacingOccurrences(of: #""id":"2""#, with: #""id":"4""#)
            )
            #expect(refused.status == .badRequest)
            #expect(refused.json?["index"] == .number(JSONNumber(1)))
            #expect(refused.json?["event_type"] == .string("ssh.login"))
            let violation = refused.json?["violations"]?.jsonArray?.first
            #expect(violation?["keyword"] == .string("type"))
            #expect(violation?["instance_path"] == .string("/user"))
            #expect(try await log.lastSequence() == 2)
        }
    }

    @Test("native records are all checked before the first append; the refusal names the record's position")
    func sources() async throws {
        let test = TestAPI()
        let log = test.log
        try await test.application.test(.router) { client in
            let registered = try await Self.send(
                client,
                "/v1/schemas/syslog.message",
                method: .put,
                body: #"{"type":"string","maxLength":40}"#
            )
            #expect(registered.status == .created)
            let lines =
                "<34>Oct 11 22:14:15 host1 app: hi\n<34>Oct 11 22:14:16 host1 app: a message far longer than ten\n"
            let refused = try await Self.send(
                client,
                "/v1/sources/syslog",
                method: .post,
                role: .publisher,
                contentType: "text/plain",
                body: lines
            )
            #expect(refused.status == .badRequest)
            #expect(refused.json?["index"] == .number(JSONNumber(1)))
            let violation = refused.json?["violations"]?.jsonArray?.first
            #expect(violation?["keyword"] == .string("maxLength"))
            #expect(violation?["instance_path"] == .string(""))
            #expect(try await log.lastSequence() == 0)
        }
    }

    @Test("reads: the list, a version, a missing one, a bad parameter, and a suggestion")
    func reads() async throws {
        let samples = try [JSONParser().parse(#"{"user":"a"}"#), JSONParser().parse(#"{"user":"b","n":1}"#)]
        try await TestAPI(schemas: MemorySchemas(samples: samples)).application.test(.router) { client in
            _ = try await Self.send(client, "/v1/schemas/ssh.login", method: .put, body: Self.schema)
            let listed = try await Self.send(client, "/v1/schemas", role: .reader)
            #expect(listed.json?["schemas"]?.jsonArray?.first?["version"] == .number(JSONNumber(1)))
            let first = try await Self.send(client, "/v1/schemas/ssh.login?version=1", role: .reader)
            #expect(first.json?["schema"]?["required"] == .array([.string("user")]))
            let missing = try await Self.send(client, "/v1/schemas/ssh.login?version=2", role: .reader)
            #expect(missing.status == .notFound)
            let bad = try await Self.send(
                client,
                "/v1/schemas/ssh.login?compatibility=sideways",
                method: .put,
                body: Self.schema
            )
            #expect(bad.status == .badRequest && bad.json?["parameter"] == .string("compatibility"))
            let suggestion = try await Self.send(client, "/v1/schemas/ssh.login/suggestion", role: .reader)
            #expect(suggestion.json?["samples"] == .number(JSONNumber(2)))
            #expect(suggestion.json?["schema"]?["required"] == .array([.string("user")]))
        }
    }
}

extension JSONValue {
    fileprivate var jsonArray: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }
}
