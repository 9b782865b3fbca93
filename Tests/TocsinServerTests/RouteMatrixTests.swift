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

/// Every route the router has × every role, plus anonymous and unknown keys.
///
/// The routes come from the router itself, so a route added without a permission, or hidden by another, fails
/// here.
struct RouteMatrixTests {
    /// A concrete path for a route template: each `{parameter}` gets a value that reaches the handler.
    static func concrete(_ template: String) -> String {
        template
            .replacingOccurrences(of: "{seq}", with: "1")
            .replacingOccurrences(of: "{name}", with: "x")
            .replacingOccurrences(of: "{format}", with: "okta")
            .replacingOccurrences(of: "{id}", with: "1")
    }

    @Test("every /v1 route of the router names a permission, and no route hides another")
    func everyRouteIsInTheTable() throws {
        let api = TestAPI().api
        try api.router.validate()
        let table = Set(api.routes.table.map { "\($0.method) \($0.path)" })
        let routed = api.router.routes.map { "\($0.method) \($0.path)" }.filter { $0.contains(" /v1") }
        #expect(!routed.isEmpty)
        for route in routed {
            #expect(table.contains(route), "\(route) is routed but names no permission")
        }
        #expect(table.count == routed.count)
        let open = api.router.routes.filter { !$0.path.description.hasPrefix("/v1") }.map(\.path.description).sorted()
        #expect(open == ["/healthz", "/openapi.json", "/readyz"])
    }

    @Test("each role reaches exactly the routes its permissions name; others are 403 naming the permission")
    func rolesByRoute() async throws {
        let test = TestAPI()
        let entries = test.api.routes.table
        let clock = test.clock
        try await test.application.test(.router) { client in
            for entry in entries {
                // limit=0 makes the listing and stream routes answer 400 instead of streaming.
                let uri = Self.concrete(entry.path) + "?limit=0"
                for role in Role.allCases {
                    try await client.execute(
                        uri: uri,
                        method: entry.method,
                        headers: [.authorization: "Bearer \(TestAPI.key(role))", .contentType: "application/json"],
                        body: ByteBuffer(string: "{}")
                    ) { response in
                        let problem = TestAPI.json(response.body)
                        if role.permissions.contains(entry.permission) {
                            #expect(
                                ![401, 403, 405].contains(response.status.code),
                                "\(role) was refused \(entry.method) \(entry.path): \(response.status)"
                            )
                            #expect(problem?["type"] != .string("urn:tocsin:problem:no-such-route"))
                        } else {
                            #expect(response.status == .forbidden, "\(role) reached \(entry.method) \(entry.path)")
                            #expect(problem?["permission"] == .string(entry.permission.rawValue))
                        }
                    }
                }
                for headers: HTTPFields in [
                    [:], [.authorization: "Bearer \(TestAPI.unknownKey)"], [.authorization: "Basic eDp5"],
                ] {
                    try await client.execute(uri: uri, method: entry.method, headers: headers) { response in
                        #expect(response.status == .unauthorized, "\(entry.method) \(entry.path) without a valid key")
                    }
                }
                // Refused requests from one address are rate limited; let the budget refill.
                clock.advance(milliseconds: 60_000)
            }
        }
        let forbidden = test.audit.recorded.filter { $0.reason == .forbidden }
        let expected = entries.reduce(0) { count, entry in
            count + Role.allCases.filter { !$0.permissions.contains(entry.permission) }.count
        }
        #expect(forbidden.count == expected)
        #expect(test.audit.recorded.filter { $0.reason == .unknownKey }.count == entries.count * 3)
    }

    @Test("the feed role reads the blocklist and nothing else")
    func feedOnly() {
        let routes = TestAPI().api.routes.table.filter { Role.feed.permissions.contains($0.permission) }
        #expect(routes.map { "\($0.method) \($0.path)" } == ["GET /v1/blocklist"])
    }

    @Test("POST /v1/sources/okta reaches the source handler; GET answers Okta's verification")
    func oktaRoutes() async throws {
        let test = TestAPI()
        try await test.application.test(.router) { client in
            let record = #"{"uuid":"e1","published":"2026-11-01T10:00:00Z","eventType":"user.session.start"}"#
            try await client.execute(
                uri: "/v1/sources/okta",
                method: .post,
                headers: [.authorization: "Bearer \(TestAPI.key(.publisher))", .contentType: "application/json"],
                body: ByteBuffer(string: record)
            ) { response in
                #expect(response.status == .accepted)
                #expect(TestAPI.json(response.body)?["accepted"] == .number(JSONNumber(1)))
            }
            let challenge = HTTPField.Name("x-okta-verification-challenge")!
            try await client.execute(
                uri: "/v1/sources/okta",
                method: .get,
                headers: [.authorization: "Bearer \(TestAPI.key(.publisher)))", challenge: "abc"]
            ) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(
                uri: "/v1/sources/okta",
                method: .get,
                headers: [.authorization: "Bearer \(TestAPI.key(.publisher))", challenge: "abc"]
            ) { response in
                #expect(TestAPI.json(response.body)?["verification"] == .string("abc"))
            }
            try await client.execute(
                uri: "/v1/sources/cloudtrail",
                method: .get,
                headers: [.authorization: "Bearer \(TestAPI.key(.publisher))", challenge: "abc"]
            ) { response in
                #expect(response.status == .methodNotAllowed)
            }
        }
        #expect(try await test.log.lastSequence() == 1)
    }
}
