// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TocsinCore
import TocsinServer
import TocsinTesting

/// Route-level tests without sockets: an in-memory log behind the real router.
struct RouterTests {
    let key = TestAPI.key(.admin)

    func makeApplication(log: InMemoryEventLog = InMemoryEventLog(), auth: Bool = true) -> some ApplicationProtocol {
        TestAPI(
            log: log,
            configure: { configuration in
                configuration.requiresAuthentication = auth
                configuration.maxBodyBytes = 2048
            },
            routing: false
        ).application
    }

    var authorized: HTTPFields {
        [.authorization: "Bearer \(key)", .contentType: "application/cloudevents+json"]
    }

    func json(_ buffer: ByteBuffer) -> JSONValue? {
        try? JSONParser().parse(Array(buffer.readableBytesView))
    }

    @Test("problem documents have type, title, status and detail")
    func problemShape() async throws {
        try await makeApplication().test(.router) { client in
            try await client.execute(uri: "/v1/events", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(response.headers[.wwwAuthenticate] == "Bearer realm=\"tocsin\"")
                let problem = try #require(json(response.body))
                #expect(problem["type"] == .string("urn:tocsin:problem:unauthorized"))
                #expect(problem["status"] == .number(JSONNumber(401)))
                #expect(problem["title"] != nil && problem["detail"] != nil)
            }
            try await client.execute(uri: "/nowhere", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(json(response.body)?["type"] == .string("urn:tocsin:problem:no-such-route"))
            }
        }
    }

    @Test("content types choose the mode; unknown formats are 415")
    func modes() async throws {
        try await makeApplication().test(.router) { client in
            for contentType in ["application/cloudevents+avro", "application/cloudevents-batch+xml", "text/plain"] {
                var headers = authorized
                headers[.contentType] = contentType
                try await client.execute(
                    uri: "/v1/events",
                    method: .post,
                    headers: headers,
                    body: ByteBuffer(string: "x")
                ) {
                    #expect($0.status == .unsupportedMediaType, "\(contentType)")
                }
            }
            var binary: HTTPFields = [.authorization: "Bearer \(key)", .contentType: "text/plain"]
            for (name, value) in [("ce-specversion", "1.0"), ("ce-id", "1"), ("ce-source", "/s"), ("ce-type", "t")] {
                binary[HTTPField.Name(name)!] = value
            }
            try await client.execute(
                uri: "/v1/events",
                method: .post,
                headers: binary,
                body: ByteBuffer(string: "plain text")
            ) {
                #expect($0.status == .accepted)
            }
            try await client.execute(uri: "/v1/events/1", method: .get, headers: authorized) { response in
                #expect(json(response.body)?["event"]?["data_base64"] == .string("cGxhaW4gdGV4dA=="))
            }
        }
    }

    @Test("an empty batch is valid and stores nothing")
    func emptyBatch() async throws {
        try await makeApplication().test(.router) { client in
            var headers = authorized
            headers[.contentType] = "application/cloudevents-batch+json"
            try await client.execute(uri: "/v1/events", method: .post, headers: headers, body: ByteBuffer(string: "[]"))
            { response in
                #expect(response.status == .accepted)
                #expect(json(response.body) == .object(JSONObject([.init(name: "events", value: .array([]))])))
            }
        }
    }

    @Test("problem details never echo the offending value")
    func redaction() async throws {
        try await makeApplication().test(.router) { client in
            let body = #"{"specversion":"1.0","id":"1","source":"/s","type":"t","time":"AKIAIOSFODNN7EXAMPLE"}"#
            try await client.execute(
                uri: "/v1/events",
                method: .post,
                headers: authorized,
                body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(!String(buffer: response.body).contains("AKIAIOSFODNN7EXAMPLE"))
            }
        }
    }

    @Test("a body over the limit is 413 even without Content-Length")
    func bodyLimit() async throws {
        try await makeApplication().test(.router) { client in
            let big = ByteBuffer(repeating: UInt8(ascii: " "), count: 4096)
            try await client.execute(uri: "/v1/events", method: .post, headers: authorized, body: big) {
                #expect($0.status == .contentTooLarge)
            }
        }
    }

    @Test("invalid query parameters and Last-Event-ID are named")
    func parameters() async throws {
        try await makeApplication(auth: false).test(.router) { client in
            for (uri, parameter) in [
                ("/v1/events?after=-1", "after"), ("/v1/events?limit=5000", "limit"),
                ("/v1/events?from=yesterday", "from"),
                ("/v1/events/abc", "seq"),
            ] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .badRequest)
                    #expect(json(response.body)?["parameter"] == .string(parameter), "\(uri)")
                }
            }
            try await client.execute(uri: "/v1/stream", method: .get, headers: [HTTPField.Name("Last-Event-ID")!: "x"])
            {
                #expect($0.status == .badRequest)
            }
        }
    }
}
