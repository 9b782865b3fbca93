// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinRules
import TocsinTesting

@testable import TocsinServer

struct JWTVerifierTests {
    @Test("valid RS256 and ES256 tokens grant the roles they name, as jwt:<sub>", arguments: [true, false])
    func validTokens(includeAlgorithm: Bool) async throws {
        let fixture = try await JWTFixture(includeAlgorithm: includeAlgorithm)
        for key in [fixture.rsa, fixture.ec] {
            let token = try TestTokens.signed(
                key,
                claims: JWTFixture.claims(roles: ["reader", "feed", "no-such-role"])
            )
            guard case .granted(let principal) = await fixture.verifier.authenticate(token: token, now: JWTFixture.now)
            else {
                Issue.record("\(key.algorithm) token refused (JWKs with alg: \(includeAlgorithm))")
                continue
            }
            #expect(principal.name == "jwt:alice")
            #expect(principal.permissions == Role.reader.permissions.union(Role.feed.permissions))
            #expect(principal.scope == nil)
        }
    }

    @Test("every forged, foreign or stale token is bad-token, with no exception escaping")
    func refusals() async throws {
        let fixture = try await JWTFixture()
        let now = JWTFixture.now / 1000
        let valid = try TestTokens.signed(fixture.rsa, claims: JWTFixture.claims())
        let parts = valid.split(separator: ".").map(String.init)
        let otherKey = try TestSigningKey.rsa(kid: "rsa-1")
        var tampered = Array(parts[2].utf8)
        tampered[10] = tampered[10] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let cases: [(String, String)] = [
            ("wrong aud", try TestTokens.signed(fixture.rsa, claims: JWTFixture.claims(audience: "other"))),
            (
                "wrong iss",
                try TestTokens.signed(fixture.rsa, claims: JWTFixture.claims(issuer: "https://id.example.com"))
            ),
            ("expired past the skew", try TestTokens.signed(fixture.rsa, claims: JWTFixture.claims(lifetime: -61))),
            (
                "not yet valid past the skew",
                try TestTokens.signed(fixture.rsa, claims: JWTFixture.claims(notBefore: now + 61))
            ),
            ("tampered signature", parts[0] + "." + parts[1] + "." + String(decoding: tampered, as: UTF8.self)),
            (
                "tampered claims",
                parts[0] + "." + TestTokens.base64URL(Array(#"{"sub":"mallory"}"#.utf8)) + "." + parts[2]
            ),
            ("alg none", TestTokens.unsigned(claims: JWTFixture.claims(), kid: "rsa-1")),
            ("alg none, empty kid", TestTokens.unsigned(claims: JWTFixture.claims(), kid: "")),
            (
                "HS256 keyed with the RSA public key",
                TestTokens.hmac(secret: Array(fixture.rsa.publicKeyPEM.utf8), kid: "rsa-1", claims: JWTFixture.claims())
            ),
            ("unknown kid", try TestTokens.signed(fixture.rsa, claims: JWTFixture.claims(), kid: "rsa-9")),
            (
                "RS256 key, header says PS256",
                try TestTokens.signed(fixture.rsa, claims: JWTFixture.claims(), algorithm: "PS256")
            ),
            (
                "ES256 key, header says RS256",
                try TestTokens.signed(fixture.ec, claims: JWTFixture.claims(), algorithm: "RS256")
            ),
            ("signed by another key with the same kid", try TestTokens.signed(otherKey, claims: JWTFixture.claims())),
            (
                "no exp",
                try TestTokens.signed(
                    fixture.rsa,
                    claims: .object(
                        JSONObject([
                            .init(name: "iss", value: .string(JWTFixture.issuer)),
                            .init(name: "aud", value: .string("tocsin")), .init(name: "sub", value: .string("a")),
                        ])
                    )
                )
            ),
            ("no sub", try TestTokens.signed(fixture.rsa, claims: JWTFixture.claims(subject: ""))),
            ("not a JWS", "not-a-token"),
            ("four parts", valid + ".x"),
            ("padding", valid + "=="),
            ("oversized", String(repeating: "a", count: 9000)),
            (
                "critical header",
                try TestTokens.token(
                    header: .object(
                        JSONObject([
                            .init(name: "alg", value: .string("RS256")), .init(name: "kid", value: .string("rsa-1")),
                            .init(name: "crit", value: .array([.string("exp")])),
                        ])
                    ),
                    claims: JWTFixture.claims(),
                    sign: fixture.rsa.sign
                )
            ),
        ]
        for (name, token) in cases {
            let outcome = await fixture.verifier.authenticate(token: token, now: JWTFixture.now)
            guard case .denied(let reason, _) = outcome else {
                Issue.record("\(name): granted")
                continue
            }
            #expect(reason == .badToken, "\(name)")
        }
    }

    @Test("exp and nbf allow 60 s of skew and no more")
    func skew() async throws {
        let fixture = try await JWTFixture()
        let now = JWTFixture.now / 1000
        let cases: [(JSONValue, Bool)] = [
            (JWTFixture.claims(lifetime: -59), true),
            (JWTFixture.claims(lifetime: -60), false),
            (JWTFixture.claims(notBefore: now + 60), true),
            (JWTFixture.claims(notBefore: now + 61), false),
        ]
        for (claims, accepted) in cases {
            let outcome = await fixture.verifier.authenticate(
                token: try TestTokens.signed(fixture.ec, claims: claims),
                now: JWTFixture.now
            )
            if case .granted = outcome {
                #expect(accepted, "\(claims) was accepted")
            } else {
                #expect(!accepted, "\(claims) was refused")
            }
        }
    }

    @Test("a refused token that verified names its subject; a forged one names nobody")
    func refusalIdentity() async throws {
        let fixture = try await JWTFixture()
        let expired = try TestTokens.signed(fixture.rsa, claims: JWTFixture.claims(subject: "bob", lifetime: -3600))
        guard
            case .denied(.badToken, let identity) = await fixture.verifier.authenticate(
                token: expired,
                now: JWTFixture.now
            )
        else {
            Issue.record("expired token granted")
            return
        }
        #expect(identity == "jwt:bob")
        let forged = TestTokens.unsigned(claims: JWTFixture.claims(subject: "bob"), kid: "rsa-1")
        guard
            case .denied(.badToken, let nobody) = await fixture.verifier.authenticate(
                token: forged,
                now: JWTFixture.now
            )
        else {
            Issue.record("forged token granted")
            return
        }
        #expect(nobody == nil)
    }

    @Test("roles come from the configured claim (a path or a string), scope and scp")
    func roleClaims() async throws {
        let fixture = try await JWTFixture { $0.rolesClaim = "realm_access.roles" }
        let claims = JWTFixture.claims(
            roles: ["admin"],
            extra: [
                .init(
                    name: "realm_access",
                    value: .object(JSONObject([.init(name: "roles", value: .array([.string("feed")]))]))
                ),
                .init(name: "scope", value: .string("openid reader profile")),
            ]
        )
        guard
            case .granted(let principal) = await fixture.verifier.authenticate(
                token: try TestTokens.signed(fixture.rsa, claims: claims),
                now: JWTFixture.now
            )
        else {
            Issue.record("refused")
            return
        }
        // `roles` is not the configured claim here, so admin is not granted.
        #expect(principal.permissions == Role.feed.permissions.union(Role.reader.permissions))
        let policy = JWTClaimsPolicy(JWTConfiguration(issuer: "i", audience: "a"))
        #expect(
            policy.roles(.object(JSONObject([.init(name: "roles", value: .string("publisher responder"))]))) == [
                .publisher, .responder,
            ]
        )
        #expect(policy.roles(.object(JSONObject([.init(name: "scp", value: .array([.string("feed")]))]))) == [.feed])
        #expect(policy.roles(.object(JSONObject([.init(name: "roles", value: .number(JSONNumber(1)))]))).isEmpty)
    }

    @Test("role scopes limit publishing; several publishing roles combine; an unscoped one lifts the limit")
    func roleScopes() throws {
        let okta = try JSONParser().parse(#"{"source":[{"prefix":"/okta/"}]}"#)
        let github = try JSONParser().parse(#"{"source":[{"prefix":"/github/"}]}"#)
        let scoped = try JWTRoleTemplates(scopes: [.publisher: okta])
        #expect(scoped.principal(named: "p", roles: [.publisher]).scope != nil)
        #expect(scoped.principal(named: "p", roles: [.publisher, .admin]).scope == nil)
        #expect(scoped.principal(named: "p", roles: [.reader]).scope == nil)
        let both = try JWTRoleTemplates(scopes: [.publisher: okta, .admin: github])
        let combined = both.principal(named: "p", roles: [.publisher, .admin])
        let scope = try #require(combined.scope)
        #expect(combined.permissions == Set(Permission.allCases))
        let event = { (source: String) in
            JSONValue.object(JSONObject([.init(name: "source", value: .string(source))]))
        }
        #expect(scope.matches(event("/okta/1")))
        #expect(scope.matches(event("/github/1")))
        #expect(!scope.matches(event("/ssh/1")))
        #expect(throws: ServerSetupError.self) { try JWTRoleTemplates(scopes: [.reader: okta]) }
        #expect(throws: ServerSetupError.self) { try JWTRoleTemplates(scopes: [.publisher: .string("x")]) }
    }

    @Test("the JWKS skips symmetric, encryption and kid-less keys, and refuses a set with none usable")
    func keySetParsing() async throws {
        let rsa = try TestSigningKey.rsa(kid: "r")
        let document = """
            {"keys":[{"kty":"oct","kid":"h","k":"c2VjcmV0","alg":"HS256"},
            {"kty":"EC","crv":"P-256","kid":"enc","use":"enc","x":"AA","y":"AA"},
            {"kty":"RSA","n":"AQAB","e":"AQAB"},
            {"kty":"RSA","kid":"hs","alg":"HS256","n":"AQAB","e":"AQAB"},
            \(JSONWriter().string(try rsa.jwk()))]}
            """
        let set = try await JWKSKeySet.parse(Array(document.utf8), location: "test")
        #expect(set.keys.keys.sorted() == ["r"])
        #expect(set.skipped.count == 4)
        await #expect(throws: ServerSetupError.self) {
            try await JWKSKeySet.parse(
                Array(#"{"keys":[{"kty":"oct","kid":"h","k":"c2VjcmV0"}]}"#.utf8),
                location: "test"
            )
        }
        await #expect(throws: ServerSetupError.self) { try await JWKSKeySet.parse(Array("[]".utf8), location: "test") }
    }

    @Test("an unknown kid refreshes the JWKS at most once a minute on the request clock")
    func refreshIsRateLimited() async throws {
        let fixture = try await JWTFixture()
        #expect(fixture.source.fetches == 1)
        let next = TestSigningKey.es256(kid: "ec-2")
        let token = try TestTokens.signed(next, claims: JWTFixture.claims())
        let refused = await fixture.verifier.authenticate(token: token, now: JWTFixture.now)
        #expect(fixture.source.fetches == 2)
        guard case .denied(.badToken, _) = refused else {
            Issue.record("a key not in the JWKS was accepted")
            return
        }
        // The provider publishes the new key; within the minute the verifier does not look again.
        fixture.source.replace(try TestTokens.jwks([fixture.rsa, next]))
        let stillRefused = await fixture.verifier.authenticate(token: token, now: JWTFixture.now + 59_999)
        #expect(fixture.source.fetches == 2)
        guard case .denied = stillRefused else {
            Issue.record("refreshed within the minute")
            return
        }
        let later = await fixture.verifier.authenticate(token: token, now: JWTFixture.now + 60_000)
        #expect(fixture.source.fetches == 3)
        guard case .granted = later else {
            Issue.record("the rotated key is not used after the refresh")
            return
        }
        #expect(fixture.verifier.keyIdentifiers == ["ec-2", "rsa-1"])
        // Known kids never fetch.
        _ = await fixture.verifier.authenticate(
            token: try TestTokens.signed(fixture.rsa, claims: JWTFixture.claims()),
            now: JWTFixture.now + 60_001
        )
        #expect(fixture.source.fetches == 3)
    }

    @Test("concurrent requests with an unknown kid share one fetch")
    func concurrentRefreshesCoalesce() async throws {
        let fixture = try await JWTFixture(holdFetches: true)
        let next = TestSigningKey.es256(kid: "ec-2")
        fixture.source.replace(try TestTokens.jwks([fixture.rsa, next]))
        let token = try TestTokens.signed(next, claims: JWTFixture.claims())
        let verifier = fixture.verifier
        let source = fixture.source
        let granted = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    if case .granted = await verifier.authenticate(token: token, now: JWTFixture.now) {
                        return true
                    }
                    return false
                }
            }
            // Release the one fetch once it has started; requests arriving meanwhile wait for it.
            for await count in source.fetchStarts where count == 2 {
                source.release()
                break
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(granted == 8)
        #expect(source.fetches == 2)
    }

    @Test("the refresh gate: fetch, join while fetching, refuse within the interval")
    func refreshGate() {
        var gate = JWKSRefreshGate(intervalMilliseconds: 60_000)
        #expect(gate.unknownKey(now: 1_000) == .fetch)
        #expect(gate.unknownKey(now: 1_001) == .join)
        gate.fetchFinished()
        #expect(gate.unknownKey(now: 2_000) == .refuse(retryAfterMilliseconds: 59_000))
        #expect(gate.unknownKey(now: 60_999) == .refuse(retryAfterMilliseconds: 1))
        #expect(gate.unknownKey(now: 61_000) == .fetch)
        gate.fetchFinished()
        #expect(!gate.isFetching)
    }
}
