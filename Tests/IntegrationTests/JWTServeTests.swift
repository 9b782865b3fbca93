// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import TocsinCore
import TocsinTesting

/// JWT bearer tokens against the real `tocsin serve`, with keys made in the test.
struct JWTServeTests {
    static let issuer = "https://id.example.test/"
    static let audience = "tocsin"

    /// Unix seconds now: the server checks `exp` and `nbf` on the wall clock.
    static var now: Int64 { Int64(Date().timeIntervalSince1970) }

    static func claims(
        subject: String = "alice",
        issuer: String = issuer,
        audience: String = audience,
        lifetime: Int64 = 300,
        notBefore: Int64? = nil,
        roles: [String]? = ["publisher"],
        extra: [JSONObject.Member] = []
    ) -> JSONValue {
        TestTokens.claims(
            issuer: issuer,
            audience: audience,
            subject: subject,
            now: now,
            lifetime: lifetime,
            notBefore: notBefore,
            roles: roles,
            extra: extra
        )
    }

    static func start(
        in directory: TemporaryDirectory,
        jwks: [UInt8],
        arguments: [String] = [],
        environment: [String: String] = [:]
    ) async throws -> ServerProcess {
        let path = directory.path + "/jwks.json"
        try Data(jwks).write(to: URL(fileURLWithPath: path))
        return try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: ["--jwt-issuer", issuer, "--jwt-audience", audience, "--jwks-file", path] + arguments,
            environment: environment
        )
    }

    /// Publishes one event with `token`; returns the status.
    static func publish(_ server: ServerProcess, token: String, source: String = "/okta/acme") async throws -> Int {
        try await call(
            server.baseURL + "/v1/events",
            method: .POST,
            headers: [
                ("Authorization", "Bearer \(token)"), ("ce-specversion", "1.0"), ("ce-id", UUID().uuidString),
                ("ce-source", source), ("ce-type", "user.login"), ("content-type", "application/json"),
            ],
            body: Array(#"{"user":"alice"}"#.utf8)
        ).status
    }

    static func read(_ server: ServerProcess, token: String) async throws -> Int {
        try await call(server.baseURL + "/v1/events?limit=1", headers: [("Authorization", "Bearer \(token)")]).status
    }

    /// The `tocsin.auth.denied` events so far, as `reason identity`, once `condition` holds.
    static func denials(_ server: ServerProcess, until condition: ([String]) -> Bool) async throws -> [String] {
        try await eventually(
            timeout: .seconds(15),
            {
                let answer = try await call(
                    server.baseURL + "/v1/events?type=tocsin.auth.denied&limit=100",
                    headers: [("Authorization", "Bearer \(server.adminKey)")]
                )
                guard answer.json?["events"] != nil else {
                    throw HarnessError(description: "no events in \(String(decoding: answer.body, as: UTF8.self))")
                }
                return denialSummaries(answer.json)
            },
            until: condition
        )
    }

    @Test("valid RS256 and ES256 tokens work over HTTP with the roles and role scope they map to")
    func validTokens() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let rsa = try TestSigningKey.rsa(kid: "rsa-1")
        let ec = TestSigningKey.es256(kid: "ec-1")
        let server = try await Self.start(
            in: directory,
            jwks: try TestTokens.jwks([rsa, ec], includeAlgorithm: false),
            arguments: ["--jwt-role-scope", #"publisher={"source":[{"prefix":"/okta/"}]}"#]
        )
        defer { server.process.terminate() }

        let publisher = try TestTokens.signed(rsa, claims: Self.claims(roles: ["publisher"]))
        #expect(try await Self.publish(server, token: publisher) == 202)
        #expect(try await Self.publish(server, token: publisher, source: "/ssh/bastion") == 403)
        #expect(try await Self.read(server, token: publisher) == 403)

        let reader = try TestTokens.signed(
            ec,
            claims: Self.claims(
                subject: "bob",
                roles: nil,
                extra: [.init(name: "scope", value: .string("openid reader"))]
            )
        )
        #expect(try await Self.read(server, token: reader) == 200)
        #expect(try await Self.publish(server, token: reader) == 403)

        let admin = try TestTokens.signed(ec, claims: Self.claims(subject: "root", roles: ["admin", "publisher"]))
        #expect(try await Self.publish(server, token: admin, source: "/ssh/bastion") == 202)

        let denied = try await Self.denials(server) { $0.count >= 3 }
        #expect(Set(denied) == ["out-of-scope jwt:alice", "forbidden jwt:alice", "forbidden jwt:bob"])
    }

    @Test(
        "wrong aud or iss, expired, not yet valid, tampered, alg none, HS256 with the RSA key, unknown kid: 401, never logged"
    )
    func badTokens() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let rsa = try TestSigningKey.rsa(kid: "rsa-1")
        let ec = TestSigningKey.es256(kid: "ec-1")
        let server = try await Self.start(
            in: directory,
            jwks: try TestTokens.jwks([rsa, ec]),
            environment: ["LOG_LEVEL": "debug"]
        )
        let valid = try TestTokens.signed(rsa, claims: Self.claims())
        let parts = valid.split(separator: ".").map(String.init)
        let signature = Array(parts[2].utf8)
        let flipped =
            signature.indices.dropFirst(5).first.map { index -> [UInt8] in
                var copy = signature
                copy[index] = copy[index] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
                return copy
            } ?? signature
        let tokens: [(String, String)] = [
            ("wrong aud", try TestTokens.signed(rsa, claims: Self.claims(audience: "another-api"))),
            ("wrong iss", try TestTokens.signed(ec, claims: Self.claims(issuer: "https://evil.example.test/"))),
            ("expired", try TestTokens.signed(rsa, claims: Self.claims(lifetime: -120))),
            ("not yet valid", try TestTokens.signed(ec, claims: Self.claims(notBefore: Self.now + 600))),
            ("tampered signature", parts[0] + "." + parts[1] + "." + String(decoding: flipped, as: UTF8.self)),
            ("alg none", TestTokens.unsigned(claims: Self.claims(roles: ["admin"]), kid: "rsa-1")),
            (
                "HS256 signed with the RSA public key",
                TestTokens.hmac(
                    secret: Array(rsa.publicKeyPEM.utf8),
                    kid: "rsa-1",
                    claims: Self.claims(roles: ["admin"])
                )
            ),
            ("unknown kid", try TestTokens.signed(try TestSigningKey.rsa(kid: "rsa-2"), claims: Self.claims())),
        ]
        for (name, token) in tokens {
            let answer = try await call(
                server.baseURL + "/v1/events?limit=1",
                headers: [("Authorization", "Bearer \(token)")]
            )
            #expect(answer.status == 401, "\(name): \(answer.status)")
            #expect(answer.json?["type"] == .string("urn:tocsin:problem:unauthorized"), "\(name)")
        }
        #expect(try await Self.publish(server, token: valid) == 202)
        let denied = try await Self.denials(server) { $0.filter { $0.hasPrefix("bad-token") }.count >= 1 }
        #expect(denied.allSatisfy { $0.hasPrefix("bad-token") })
        _ = await server.terminate()
        let log = try String(contentsOfFile: server.dataDirectory + ".log", encoding: .utf8)
        #expect(log.contains("Bearer token refused."), "debug logging shows why tokens are refused")
        for (name, token) in tokens + [("valid", valid)] {
            let secretPart = token.split(separator: ".").last.map(String.init) ?? token
            #expect(secretPart.isEmpty || !log.contains(secretPart), "the \(name) token is in the log")
            #expect(!log.contains(token), "the \(name) token is in the log")
        }
    }

    @Test("JWKS rotation: a token with a new kid works once the file has it; a second refresh waits a minute")
    func rotation() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = try TestSigningKey.rsa(kid: "2026-01")
        let server = try await Self.start(in: directory, jwks: try TestTokens.jwks([first]))
        defer { server.process.terminate() }
        #expect(try await Self.publish(server, token: try TestTokens.signed(first, claims: Self.claims())) == 202)

        let second = TestSigningKey.es256(kid: "2026-02")
        try Data(try TestTokens.jwks([first, second])).write(to: URL(fileURLWithPath: directory.path + "/jwks.json"))
        #expect(try await Self.publish(server, token: try TestTokens.signed(second, claims: Self.claims())) == 202)

        // The refresh just happened: another unknown kid within the minute is refused unread.
        let third = TestSigningKey.es256(kid: "2026-03")
        try Data(try TestTokens.jwks([first, second, third])).write(
            to: URL(fileURLWithPath: directory.path + "/jwks.json")
        )
        #expect(try await Self.publish(server, token: try TestTokens.signed(third, claims: Self.claims())) == 401)
        #expect(try await Self.publish(server, token: try TestTokens.signed(first, claims: Self.claims())) == 202)
    }

    @Test("--jwks-url: keys are fetched from the provider at start and again for an unknown kid")
    func jwksURL() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = TestSigningKey.es256(kid: "a")
        let second = try TestSigningKey.rsa(kid: "b")
        // The identity provider answers on its event loop: one on the cooperative pool can be held up
        // past the server's fetch timeout while the whole suite runs, which looks like a failed fetch.
        let provider = try await LoopbackReceiver.start()
        provider.serve(try TestTokens.jwks([first]), contentType: "application/jwk-set+json")
        defer { provider.stop() }
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: [
                "--jwt-issuer", Self.issuer, "--jwt-audience", Self.audience,
                "--jwks-url", "http://127.0.0.1:\(provider.port)/.well-known/jwks.json",
            ]
        )
        defer { server.process.terminate() }
        #expect(try await Self.publish(server, token: try TestTokens.signed(first, claims: Self.claims())) == 202)
        #expect(provider.requests == 1)
        provider.serve(try TestTokens.jwks([first, second]), contentType: "application/jwk-set+json")
        #expect(try await Self.publish(server, token: try TestTokens.signed(second, claims: Self.claims())) == 202)
        #expect(provider.requests == 2)
    }

    @Test("incomplete or contradictory JWT and TLS options are refused with a message saying what to add")
    func optionCombinations() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.path + "/data"
        let jwks = directory.path + "/jwks.json"
        try Data(try TestTokens.jwks([TestSigningKey.es256(kid: "k")])).write(to: URL(fileURLWithPath: jwks))
        let both = ["--jwt-issuer", "i", "--jwt-audience", "a"]
        let cases: [([String], [String: String], String)] = [
            (["--jwt-issuer", "i"], [:], "--jwt-audience is missing"),
            ([], ["TOCSIN_JWT_AUDIENCE": "a"], "--jwt-issuer is missing"),
            (both, [:], "add --jwks-file FILE or --jwks-url URL"),
            (both + ["--jwks-file", jwks, "--jwks-url", "https://id.example.test/jwks"], [:], "alternatives"),
            (both + ["--jwks-url", "http://id.example.test/jwks"], [:], "must be an https:// URL"),
            (["--jwks-file", jwks], [:], "--jwt-issuer is missing"),
            (both + ["--jwks-file", jwks, "--jwt-role-scope", "auditor={}"], [:], "not a role"),
            (both + ["--jwks-file", jwks, "--jwt-role-scope", "publisher={"], [:], "not valid JSON"),
            (both + ["--jwks-file", jwks, "--jwt-role-scope", #"reader={"source":["x"]}"#], [:], "cannot publish"),
            (both + ["--jwks-file", directory.path + "/missing.json"], [:], "Cannot read the JWKS file"),
            (both + ["--jwks-file", jwks, "--insecure-no-auth"], [:], "no effect"),
            (["--client-ca", jwks], [:], "--client-ca needs HTTPS"),
            (["--tls-cert", jwks], [:], "--tls-cert needs --tls-key"),
            (["--tls-key", jwks], [:], "--tls-key needs --tls-cert"),
            (["--tls-cert", jwks, "--tls-key", jwks], [:], "--tls-cert \(jwks): not a readable PEM certificate"),
        ]
        for (arguments, environment, message) in cases {
            let result = try await runTocsin(
                ["serve", "--data-dir", data, "--http", "127.0.0.1:0"] + arguments,
                environment: environment
            )
            #expect(result.status != 0, "\(arguments) started")
            #expect(result.errors.contains(message), "\(arguments): \(result.errors)")
        }
    }
}
