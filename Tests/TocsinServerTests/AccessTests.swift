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

/// Scopes, expiry, revocation, rotation, the reserved namespace and rate limits, on the real router.
struct AccessTests {
    static let hookKey = "tsk_okta_hook"
    static let oktaScope = #"{"source":[{"prefix":"/okta/"}]}"#

    static func scopedHook() throws -> (Identity, String) {
        let identity = Identity(
            name: "okta-hook",
            roles: [.publisher],
            scope: try JSONParser().parse(oktaScope),
            expiresAtMilliseconds: 1_800_000_100_000,
            createdAtMilliseconds: 0
        )
        return (identity, hookKey)
    }

    static func binary(key: String, source: String, type: String = "user.login") -> HTTPFields {
        [
            .authorization: "Bearer \(key)", .contentType: "application/json",
            HTTPField.Name("ce-specversion")!: "1.0", HTTPField.Name("ce-id")!: "1",
            HTTPField.Name("ce-source")!: source, HTTPField.Name("ce-type")!: type,
        ]
    }

    @Test("a scoped publisher is refused outside its scope, for events and native sources, and nothing is stored")
    func scope() async throws {
        let test = TestAPI(extraIdentities: [try Self.scopedHook()])
        try await test.application.test(.router) { client in
            try await client.execute(
                uri: "/v1/events",
                method: .post,
                headers: Self.binary(key: Self.hookKey, source: "/okta/org"),
                body: ByteBuffer(string: "{}")
            ) { #expect($0.status == .accepted) }
            try await client.execute(
                uri: "/v1/events",
                method: .post,
                headers: Self.binary(key: Self.hookKey, source: "/ssh/bastion"),
                body: ByteBuffer(string: "{}")
            ) { response in
                #expect(response.status == .forbidden)
                #expect(TestAPI.json(response.body)?["type"] == .string("urn:tocsin:problem:out-of-scope"))
            }
            let batch =
                #"[{"specversion":"1.0","id":"2","source":"/okta/org","type":"t"},{"specversion":"1.0","id":"3","source":"/aws/x","type":"t"}]"#
            try await client.execute(
                uri: "/v1/events",
                method: .post,
                headers: [
                    .authorization: "Bearer \(Self.hookKey)", .contentType: "application/cloudevents-batch+json",
                ],
                body: ByteBuffer(string: batch)
            ) { response in
                #expect(response.status == .forbidden, "the whole batch is refused")
                #expect(TestAPI.json(response.body)?["index"] == .number(JSONNumber(1)))
            }
            let okta = #"{"uuid":"e1","published":"2026-11-01T10:00:00Z","eventType":"user.session.start"}"#
            try await client.execute(
                uri: "/v1/sources/okta",
                method: .post,
                headers: [.authorization: "Bearer \(Self.hookKey)", .contentType: "application/json"],
                body: ByteBuffer(string: okta)
            ) { #expect($0.status == .accepted) }
            let trail =
                #"{"eventVersion":"1.08","eventID":"c1","eventTime":"2026-11-01T10:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","awsRegion":"us-east-1","recipientAccountId":"123456789012"}"#
            try await client.execute(
                uri: "/v1/sources/cloudtrail",
                method: .post,
                headers: [.authorization: "Bearer \(Self.hookKey)", .contentType: "application/json"],
                body: ByteBuffer(string: trail)
            ) { response in
                #expect(response.status == .forbidden, "CloudTrail records normalise to /aws/… sources")
            }
        }
        #expect(try await test.log.lastSequence() == 2)
        #expect(test.audit.recorded.map(\.reason) == [.outOfScope, .outOfScope, .outOfScope])
        #expect(test.audit.recorded.allSatisfy { $0.identity == "okta-hook" && $0.permission == "events:publish" })
    }

    @Test("expired and revoked identities and rotated-out keys are 401, audited with the reason and never the key")
    func lifecycle() async throws {
        let (hook, key) = try Self.scopedHook()
        var revoked = Identity(name: "old-bot", roles: [.reader], createdAtMilliseconds: 0)
        revoked.revokedAtMilliseconds = 5
        let test = TestAPI(extraIdentities: [(hook, key), (revoked, "tsk_old_bot")])
        // A rotation: the previous key works until its grace period ends.
        let ring = test.ring
        let identities =
            Role.allCases.map { Identity(name: $0.rawValue, roles: [$0], createdAtMilliseconds: 0) } + [hook, revoked]
        ring.replace(
            identities: identities,
            secrets: Role.allCases.map { KeySecret(hash: TestAPI.hash(TestAPI.key($0)), identity: $0.rawValue) } + [
                KeySecret(hash: TestAPI.hash(key), identity: "okta-hook"),
                KeySecret(hash: TestAPI.hash("tsk_old_bot"), identity: "old-bot"),
                KeySecret(
                    hash: TestAPI.hash("tsk_reader_previous"),
                    identity: "reader",
                    expiresAtMilliseconds: test.clock.now + 30_000
                ),
            ]
        )
        let clock = test.clock
        try await test.application.test(.router) { client in
            func status(_ key: String, _ headers: HTTPFields? = nil) async throws -> HTTPResponse.Status {
                try await client.execute(uri: "/v1/events", method: .get, headers: [.authorization: "Bearer \(key)"]) {
                    $0.status
                }
            }
            #expect(try await status("tsk_reader_previous") == .ok)
            #expect(try await status("tsk_old_bot") == .unauthorized)
            clock.advance(milliseconds: 30_000)
            #expect(try await status("tsk_reader_previous") == .unauthorized)
            #expect(try await status(TestAPI.key(.reader)) == .ok)
            try await client.execute(
                uri: "/v1/events",
                method: .post,
                headers: Self.binary(key: key, source: "/okta/org"),
                body: ByteBuffer(string: "{}")
            ) { #expect($0.status == .accepted) }
            clock.advance(milliseconds: 100_000)
            try await client.execute(
                uri: "/v1/events",
                method: .post,
                headers: Self.binary(key: key, source: "/okta/org"),
                body: ByteBuffer(string: "{}")
            ) { #expect($0.status == .unauthorized) }
        }
        let denials = test.audit.recorded
        #expect(denials.map(\.reason) == [.revoked, .revoked, .expired])
        #expect(denials.map(\.identity) == ["old-bot", "reader", "okta-hook"])
        #expect(denials.allSatisfy { "\($0)".range(of: "tsk_") == nil }, "no denial carries a presented key")
    }

    @Test("no role, not even admin, may publish Tocsin's own types or sources")
    func reservedNamespace() async throws {
        let test = TestAPI()
        try await test.application.test(.router) { client in
            for role in Role.allCases {
                for (source, type) in [
                    ("/tocsin/auth", "user.login"), ("/tocsin", "x"), ("/app", "tocsin.auth.denied"),
                    ("/app", "tocsin.key.created"),
                ] {
                    try await client.execute(
                        uri: "/v1/events",
                        method: .post,
                        headers: Self.binary(key: TestAPI.key(role), source: source, type: type),
                        body: ByteBuffer(string: "{}")
                    ) { response in
                        #expect(response.status == .forbidden, "\(role) published \(type) from \(source)")
                        if role.permissions.contains(.publish) {
                            #expect(
                                TestAPI.json(response.body)?["type"] == .string("urn:tocsin:problem:reserved-namespace")
                            )
                        }
                    }
                }
            }
            try await client.execute(
                uri: "/v1/events",
                method: .post,
                headers: Self.binary(key: TestAPI.key(.admin), source: "/tocsinfo", type: "tocsinfo"),
                body: ByteBuffer(string: "{}")
            ) { #expect($0.status == .forbidden, "/tocsin is a prefix of /tocsinfo") }
        }
        #expect(try await test.log.lastSequence() == 0)
    }

    @Test("over the per-identity rate the answer is 429 with Retry-After; the budget refills with time")
    func rateLimit() async throws {
        let test = TestAPI(configure: { $0.limits.perIdentity = 1 })
        let clock = test.clock
        try await test.application.test(.router) { client in
            let headers: HTTPFields = [.authorization: "Bearer \(TestAPI.key(.reader))"]
            for _ in 0..<2 {
                try await client.execute(uri: "/v1/events", method: .get, headers: headers) {
                    #expect($0.status == .ok)
                }
            }
            try await client.execute(uri: "/v1/events", method: .get, headers: headers) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] == "1")
            }
            try await client.execute(
                uri: "/v1/events",
                method: .get,
                headers: [.authorization: "Bearer \(TestAPI.key(.admin))"]
            ) { #expect($0.status == .ok, "another identity has its own budget") }
            clock.advance(milliseconds: 1000)
            try await client.execute(uri: "/v1/events", method: .get, headers: headers) { #expect($0.status == .ok) }
        }
    }

    @Test("refused requests from one address are answered 429 once over budget, a valid key still works")
    func failureBudget() async throws {
        let test = TestAPI(configure: { $0.limits.failuresPerAddress = 1 })
        try await test.application.test(.router) { client in
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<7 {
                statuses.append(
                    try await client.execute(
                        uri: "/v1/events",
                        method: .get,
                        headers: [.authorization: "Bearer tsk_guess"]
                    ) { $0.status }
                )
            }
            #expect(statuses == Array(repeating: .unauthorized, count: 5) + [.tooManyRequests, .tooManyRequests])
            try await client.execute(
                uri: "/v1/events",
                method: .get,
                headers: [.authorization: "Bearer \(TestAPI.key(.reader))"]
            ) { #expect($0.status == .ok) }
        }
        #expect(test.audit.recorded.count == 7, "every refusal is audited, limited or not")
    }

    @Test("a suspended key ring answers 503 with Retry-After to every credential until it resumes")
    func suspendedRing() async throws {
        let test = TestAPI()
        let ring = test.ring
        let reader: HTTPFields = [.authorization: "Bearer \(TestAPI.key(.reader))"]
        try await test.application.test(.router) { client in
            try await client.execute(uri: "/v1/events", method: .get, headers: reader) { #expect($0.status == .ok) }
            ring.suspend(because: "not connected to NATS")
            try await client.execute(uri: "/v1/events", method: .get, headers: reader) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "2")
                let detail = TestAPI.json(response.body)?["detail"]?.stringValue ?? ""
                #expect(detail.contains("credentials cannot be checked now: not connected to NATS"), "\(detail)")
            }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            ring.resume()
            try await client.execute(uri: "/v1/events", method: .get, headers: reader) { #expect($0.status == .ok) }
        }
    }
}
