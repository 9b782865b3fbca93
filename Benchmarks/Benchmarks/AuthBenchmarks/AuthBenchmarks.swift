// SPDX-License-Identifier: Apache-2.0

import Benchmark
import Crypto
import CryptoExtras
import Foundation
import Logging
import TocsinCore
import TocsinServer

/// The cost of authenticating one request: a JWT access token verified against a JWKS (RS256 with
/// a 2048-bit key, ES256 on P-256), next to an API key looked up by its SHA-256.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        timeUnits: .microseconds,
        maxDuration: .seconds(4)
    )

    for algorithm in ["RS256", "ES256"] {
        Benchmark("JWT verify \(algorithm) (signature, claims, roles)", configuration: .init(scalingFactor: .kilo)) {
            benchmark in
            let fixture = try TokenFixture(algorithm: algorithm)
            let verifier = try JWTVerifier(
                configuration: JWTConfiguration(issuer: TokenFixture.issuer, audience: "tocsin"),
                keys: fixture.jwks,
                logger: Logger(label: "bench")
            )
            try await verifier.load()
            guard case .granted = await verifier.authenticate(token: fixture.token, now: TokenFixture.now) else {
                benchmark.error("the \(algorithm) token was refused")
                return
            }
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(await verifier.authenticate(token: fixture.token, now: TokenFixture.now))
            }
        }
    }

    Benchmark("API key lookup (SHA-256, key ring)", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let key = "tsk_" + String(repeating: "k", count: 43)
        let ring = KeyRing(
            identities: [Identity(name: "svc", roles: [.publisher], createdAtMilliseconds: 0)],
            secrets: [KeySecret(hash: Array(SHA256.hash(data: Array(key.utf8))), identity: "svc")]
        )
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(ring.authenticate(key: key, now: TokenFixture.now))
        }
    }
}

/// A JWKS with one key and a valid access token signed by it, built with swift-crypto.
struct TokenFixture {
    static let issuer = "https://id.example.com/"
    static let now: Int64 = 1_800_000_000_000

    struct StaticJWKS: JWKSFetching {
        let document: [UInt8]
        var location: String { "benchmark" }
        func fetch() async throws -> [UInt8] { document }
    }

    let jwks: StaticJWKS
    let token: String

    init(algorithm: String) throws {
        let jwk: String
        let sign: ([UInt8]) throws -> [UInt8]
        if algorithm == "RS256" {
            let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            let primitives = try key.publicKey.getKeyPrimitives()
            jwk =
                #"{"kty":"RSA","kid":"k","alg":"RS256","n":"\#(Self.base64URL(primitives.modulus))","e":"\#(Self.base64URL(primitives.publicExponent))"}"#
            sign = {
                Array(try key.signature(for: SHA256.hash(data: $0), padding: .insecurePKCS1v1_5).rawRepresentation)
            }
        } else {
            let key = P256.Signing.PrivateKey()
            let raw = Array(key.publicKey.rawRepresentation)
            jwk =
                #"{"kty":"EC","crv":"P-256","kid":"k","alg":"ES256","x":"\#(Self.base64URL(raw[0..<32]))","y":"\#(Self.base64URL(raw[32...]))"}"#
            sign = { Array(try key.signature(for: $0).rawRepresentation) }
        }
        jwks = StaticJWKS(document: Array(#"{"keys":[\#(jwk)]}"#.utf8))
        let seconds = Self.now / 1000
        let header = #"{"alg":"\#(algorithm)","typ":"at+jwt","kid":"k"}"#
        let claims =
            #"{"iss":"\#(Self.issuer)","aud":"tocsin","sub":"svc-ingest","iat":\#(seconds),"exp":\#(seconds + 300),"roles":["publisher","reader"],"scope":"openid profile"}"#
        let input = Self.base64URL(Array(header.utf8)) + "." + Self.base64URL(Array(claims.utf8))
        token = input + "." + Self.base64URL(try sign(Array(input.utf8)))
    }

    static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
