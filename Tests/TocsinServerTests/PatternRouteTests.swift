// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TocsinCore
import TocsinServer
import TocsinTesting

/// `POST /v1/patterns/test`, the API twin of `aws events test-event-pattern`.
struct PatternRouteTests {
    let key = TestAPI.key(.reader)

    func makeApplication() -> some ApplicationProtocol {
        TestAPI(routing: false).application
    }

    func post(_ body: String, to client: some TestClientProtocol) async throws -> (HTTPResponse.Status, JSONValue?) {
        try await client.execute(
            uri: "/v1/patterns/test",
            method: .post,
            headers: [.authorization: "Bearer \(key)", .contentType: "application/json"],
            body: ByteBuffer(string: body)
        ) { response in
            (response.status, try? JSONParser().parse(Array(response.body.readableBytesView)))
        }
    }

    @Test func answersWhichEventsMatch() async throws {
        try await makeApplication().test(.router) { client in
            let body = #"""
                {"pattern": {"eventName": ["AuthorizeSecurityGroupIngress"],
                             "requestParameters": {"ipPermissions": {"items": {"ipRanges": {"items": {"cidrIp": ["0.0.0.0/0"]}}}}}},
                 "events": [
                   {"eventName": "AuthorizeSecurityGroupIngress", "requestParameters": {"ipPermissions": {"items": [{"fromPort": 22, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}}},
                   {"eventName": "AuthorizeSecurityGroupIngress", "requestParameters": {"ipPermissions": {"items": [{"fromPort": 443, "ipRanges": {"items": [{"cidrIp": "10.0.0.0/8"}]}}]}}},
                   {"eventName": "DescribeInstances"}]}
                """#
            let (status, answer) = try await post(body, to: client)
            #expect(status == .ok)
            #expect(answer?["matches"] == .array([.bool(true), .bool(false), .bool(false)]))
            #expect(answer?["matching"] == .array([.number(JSONNumber(0))]))
        }
    }

    @Test func patternTextHonoursRepeatedKeys() async throws {
        try await makeApplication().test(.router) { client in
            let body = #"{"pattern": "{\"a\":[\"x\"],\"a\":[\"y\"]}", "events": [{"a": "x"}, {"a": "y"}]}"#
            let (status, answer) = try await post(body, to: client)
            #expect(status == .ok)
            #expect(answer?["matches"] == .array([.bool(false), .bool(true)]))
        }
    }

    @Test func invalidPatternIsAProblemNamingThePath() async throws {
        try await makeApplication().test(.router) { client in
            let (status, problem) = try await post(
                #"{"pattern": {"a": [{"wildcard": "a**"}]}, "events": []}"#,
                to: client
            )
            #expect(status == .badRequest)
            #expect(problem?["type"] == .string("urn:tocsin:problem:invalid-pattern"))
            #expect(problem?["path"] == .string("$.a[0].wildcard"))
            #expect(problem?["reason"] == .string("invalidWildcard"))
            #expect(problem?["detail"]?.stringValue?.contains("'**' is not allowed") == true)

            let (shapeStatus, shape) = try await post(#"{"pattern": {"a": ["x"]}}"#, to: client)
            #expect(shapeStatus == .badRequest)
            #expect(shape?["type"] == .string("urn:tocsin:problem:invalid-request"))
        }
    }
}
