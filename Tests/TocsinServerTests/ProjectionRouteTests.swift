// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TocsinCore
import TocsinServer

/// Projections that answer with the name they were asked about.
struct MemoryProjections: ProjectionAdministration {
    var names: [String] { ["incidents", "identities"] }

    func rebuild(_ name: String, actor: String) async throws -> JSONValue {
        return .object(JSONObject([.init(name: "projection", value: .string(name))]))
    }

    func check(_ name: String) async throws -> JSONValue {
        return .object(JSONObject([.init(name: "equal", value: .bool(true))]))
    }
}

/// `GET /v1/projections`, `POST /v1/projections/{name}/rebuild` and `GET /v1/projections/{name}/check`.
struct ProjectionRouteTests {
    @Test("admin lists, rebuilds and checks; an unknown name is 404")
    func adminRebuilds() async throws {
        let api = TestAPI()
        let admin: HTTPFields = [.authorization: "Bearer \(TestAPI.key(.admin))"]
        try await api.application.test(.router) { client in
            try await client.execute(uri: "/v1/projections", method: .get, headers: admin) { response in
                #expect(response.status == .ok)
                #expect(
                    TestAPI.json(response.body)?["projections"]
                        == .array([.string("incidents"), .string("identities")])
                )
            }
            try await client.execute(uri: "/v1/projections/identities/rebuild", method: .post, headers: admin) {
                response in
                #expect(response.status == .ok)
                #expect(TestAPI.json(response.body)?["projection"] == .string("identities"))
            }
            try await client.execute(uri: "/v1/projections/incidents/check", method: .get, headers: admin) { response in
                #expect(response.status == .ok && TestAPI.json(response.body)?["equal"] == .bool(true))
            }
            try await client.execute(uri: "/v1/projections/deliveries/rebuild", method: .post, headers: admin) {
                response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("every role but admin is refused", arguments: Role.allCases.filter { $0 != .admin })
    func othersAreRefused(_ role: Role) async throws {
        let api = TestAPI()
        let headers: HTTPFields = [.authorization: "Bearer \(TestAPI.key(role))"]
        try await api.application.test(.router) { client in
            try await client.execute(uri: "/v1/projections/identities/rebuild", method: .post, headers: headers) {
                #expect($0.status == .forbidden)
            }
        }
    }
}
