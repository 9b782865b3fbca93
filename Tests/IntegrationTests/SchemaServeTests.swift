// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOCore
import NIOHTTP1
import Testing
import TocsinCore
import TocsinTesting

/// The schema registry of a real `tocsin serve`: registration, enforcement on publish, compatibility, reads,
/// suggestions from traffic, and the registry surviving a restart.
struct SchemaServeTests {
    static let type = "shop.order.created"
    static let schema = #"""
        {"type": "object", "required": ["id", "amount"],
         "properties": {"id": {"type": "string"}, "amount": {"type": "number", "minimum": 0}}}
        """#

    func auth(_ server: ServerProcess) -> [(String, String)] {
        [("Authorization", "Bearer \(server.adminKey)")]
    }

    func put(_ server: ServerProcess, _ schema: String, query: String = "") async throws -> HTTPAnswer {
        try await call(
            server.baseURL + "/v1/schemas/\(Self.type)\(query)",
            method: .PUT,
            headers: auth(server) + [("content-type", "application/json")],
            body: Array(schema.utf8)
        )
    }

    func publish(_ server: ServerProcess, _ events: [(id: String, data: String)]) async throws -> HTTPAnswer {
        let elements = events.map { event in
            #"{"specversion":"1.0","id":"\#(event.id)","source":"/shop","type":"\#(Self.type)","data":\#(event.data)}"#
        }
        return try await call(
            server.baseURL + "/v1/events",
            method: .POST,
            headers: auth(server) + [("content-type", "application/cloudevents-batch+json")],
            body: Array("[\(elements.joined(separator: ","))]".utf8)
        )
    }

    @Test("a registered schema refuses bad events with keyword and path, refuses incompatible versions, and persists")
    func registryOverHTTP() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-it")
        defer { directory.remove() }
        let dataDirectory = directory.path + "/data"
        var server = try await ServerProcess.start(dataDirectory: dataDirectory)
        do {
            let registered = try await put(server, Self.schema)
            #expect(registered.status == 201)
            #expect(registered.json?["version"] == .number(JSONNumber(1)))
            #expect(registered.json?["compatibility"] == .string("backward"))

            let refused = try await publish(
                server,
                [(id: "o1", data: #"{"id":"o1","amount":12.5}"#), (id: "o2", data: #"{"id":"o2","amount":"s3cret"}"#)]
            )
            #expect(refused.status == 400)
            #expect(refused.json?["type"] == .string("urn:tocsin:problem:schema-violation"))
            #expect(refused.json?["index"] == .number(JSONNumber(1)))
            let violation = refused.json?["violations"]?.jsonArray?.first
            #expect(violation?["keyword"] == .string("type"))
            #expect(violation?["instance_path"] == .string("/amount"))
            #expect(!String(decoding: refused.body, as: UTF8.self).contains("s3cret"))

            let accepted = try await publish(server, [(id: "o1", data: #"{"id":"o1","amount":12.5}"#)])
            #expect(accepted.status == 202)

            let incompatible = try await put(
                server,
                #"{"type": "object", "required": ["id", "amount", "region"]}"#
            )
            #expect(incompatible.status == 409)
            #expect(incompatible.json?["type"] == .string("urn:tocsin:problem:incompatible-schema"))
            let changes = incompatible.json?["changes"]?.jsonArray ?? []
            #expect(changes.contains { $0["keyword"] == .string("required") })

            let invalid = try await put(server, #"{"type": "object", "requried": ["id"]}"#)
            #expect(invalid.status == 400)
            #expect(invalid.json?["type"] == .string("urn:tocsin:problem:invalid-schema"))

            let second = try await put(
                server,
                #"{"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}"#,
                query: "?compatibility=full"
            )
            #expect(second.status == 409)
            let widened = try await put(
                server,
                #"{"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}"#
            )
            #expect(widened.status == 201)
            #expect(widened.json?["version"] == .number(JSONNumber(2)))

            let suggestion = try await call(
                server.baseURL + "/v1/schemas/\(Self.type)/suggestion",
                headers: auth(server)
            )
            #expect(suggestion.status == 200)
            #expect(suggestion.json?["samples"] == .number(JSONNumber(1)))
            let required = suggestion.json?["schema"]?["required"]?.jsonArray ?? []
            #expect(Set(required.compactMap(\.stringValue)) == ["amount", "id"])

            let announced = try await call(
                server.baseURL + "/v1/events?type=tocsin.schema.registered",
                headers: auth(server)
            )
            let versions = announced.json?["events"]?.jsonArray?.compactMap { $0["event"]?["data"]?["version"] }
            #expect(versions == [.number(JSONNumber(1)), .number(JSONNumber(2))])
            #expect(await server.terminate() == 0)
        } catch {
            _ = await server.terminate()
            throw error
        }

        server = try await ServerProcess.start(dataDirectory: dataDirectory)
        do {
            let listed = try await call(server.baseURL + "/v1/schemas", headers: auth(server))
            #expect(listed.status == 200)
            let entry = listed.json?["schemas"]?.jsonArray?.first
            #expect(entry?["type"] == .string(Self.type))
            #expect(entry?["version"] == .number(JSONNumber(2)))
            let first = try await call(
                server.baseURL + "/v1/schemas/\(Self.type)?version=1",
                headers: auth(server)
            )
            #expect(first.json?["schema"]?["required"] == .array([.string("id"), .string("amount")]))
            let missing = try await call(server.baseURL + "/v1/schemas/no.such.type", headers: auth(server))
            #expect(missing.status == 404)
            let stillEnforced = try await publish(server, [(id: "o3", data: #"{"amount":1}"#)])
            #expect(stillEnforced.status == 400)
            #expect(stillEnforced.json?["violations"]?.jsonArray?.first?["keyword"] == .string("required"))
            #expect(await server.terminate() == 0)
        } catch {
            _ = await server.terminate()
            throw error
        }
    }

    @Test("tocsin schemas put, get, list and suggest")
    func command() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-it")
        defer { directory.remove() }
        let server = try await ServerProcess.start(dataDirectory: directory.path + "/data")
        do {
            let client = ["--server", server.baseURL, "--key", server.adminKey]
            let accepted = try await publish(server, [(id: "o1", data: #"{"id":"o1","amount":3}"#)])
            #expect(accepted.status == 202)
            let suggested = try await runTocsin(["schemas", "suggest", Self.type] + client)
            #expect(suggested.status == 0)
            let suggestion = try JSONParser().parse(suggested.output.trimmingCharacters(in: .newlines))
            #expect(suggestion["properties"]?["amount"]?["type"] == .string("integer"))
            let put = try await runTocsin(["schemas", "put", Self.type, "-"] + client, input: Array(Self.schema.utf8))
            #expect(put.status == 0 && put.output.contains("version 1"))
            let refused = try await runTocsin(
                ["schemas", "put", Self.type, "-", "--compatibility", "full"] + client,
                input: Array(#"{"type": "object", "required": ["id", "amount", "region"]}"#.utf8)
            )
            #expect(refused.status == 1 && refused.errors.contains("409"))
            let listed = try await runTocsin(["schemas", "list", "--output", "json"] + client)
            #expect(
                try JSONParser().parse(listed.output.trimmingCharacters(in: .newlines))["version"]
                    == .number(JSONNumber(1))
            )
            let shown = try await runTocsin(["schemas", "get", Self.type, "--version", "1"] + client)
            #expect(
                try JSONParser().parse(shown.output.trimmingCharacters(in: .newlines))
                    == JSONParser().parse(Self.schema)
            )
            #expect(await server.terminate() == 0)
        } catch {
            _ = await server.terminate()
            throw error
        }
    }

    @Test("a syslog message that breaks its type's schema is refused; later ones on the connection are stored")
    func syslog() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-it")
        defer { directory.remove() }
        let tcpPort = try await SyslogClient.freePort(udp: false)
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: ["--syslog-tcp", "127.0.0.1:\(tcpPort)"]
        )
        do {
            let registered = try await call(
                server.baseURL + "/v1/schemas/syslog.message",
                method: .PUT,
                headers: auth(server) + [("content-type", "application/json")],
                body: Array(#"{"type": "string", "maxLength": 48}"#.utf8)
            )
            #expect(registered.status == 201)
            let connection = try await SyslogClient.connect(port: tcpPort)
            try await connection.writeAndFlush(
                ByteBuffer(
                    string: "<34>Nov 25 10:00:01 host1 app: a message much too long for the schema's limit\n"
                        + "<34>Nov 25 10:00:02 host1 app: short one\n" + "<34>Nov 25 10:00:03 host1 app: short two\n"
                )
            )
            try await connection.close()
            let stored = try await server.eventually(
                { try await server.events(type: "syslog.message") },
                until: { $0.count >= 2 }
            )
            #expect(stored.count == 2, "the first, too long, message is refused before the two after it are stored")
            #expect(!stored.contains { $0["event"]?["data"]?.stringValue?.contains("too long") == true })
            #expect(await server.terminate() == 0)
        } catch {
            _ = await server.terminate()
            throw error
        }
    }
}
