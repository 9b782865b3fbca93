// SPDX-License-Identifier: Apache-2.0

public import Crypto
public import CryptoExtras
import Foundation
public import TocsinCore

/// A signing key for JWT tests (RSA 2048 for RS256, or P-256 for ES256) with its public JWK.
///
/// Tokens are built by hand (``TestTokens``) with swift-crypto, not with the library under test.
public struct TestSigningKey: Sendable {
    /// The private key.
    public enum Material: Sendable {
        /// An RSA key; signs RS256 (PKCS #1 v1.5, SHA-256).
        case rsa(_RSA.Signing.PrivateKey)
        /// A P-256 key; signs ES256 (raw `r ‖ s`).
        case es256(P256.Signing.PrivateKey)
    }

    /// The key identifier.
    public let kid: String
    /// The private key.
    public let material: Material

    /// A fresh RSA 2048 key.
    public static func rsa(kid: String) throws -> TestSigningKey {
        TestSigningKey(kid: kid, material: .rsa(try _RSA.Signing.PrivateKey(keySize: .bits2048)))
    }

    /// A fresh P-256 key.
    public static func es256(kid: String) -> TestSigningKey {
        TestSigningKey(kid: kid, material: .es256(P256.Signing.PrivateKey()))
    }

    /// `RS256` or `ES256`.
    public var algorithm: String {
        switch material {
        case .rsa: "RS256"
        case .es256: "ES256"
        }
    }

    /// The public key as PEM (SubjectPublicKeyInfo), what a naive verifier might use as an HMAC secret.
    public var publicKeyPEM: String {
        switch material {
        case .rsa(let key): key.publicKey.pemRepresentation
        case .es256(let key): key.publicKey.pemRepresentation
        }
    }

    /// The public JWK; with `includeAlgorithm` false, without `alg` (the verifier must infer it).
    public func jwk(includeAlgorithm: Bool = true) throws -> JSONValue {
        var members: [JSONObject.Member] = [
            .init(name: "kid", value: .string(kid)), .init(name: "use", value: .string("sig")),
        ]
        switch material {
        case .rsa(let key):
            let primitives = try key.publicKey.getKeyPrimitives()
            members += [
                .init(name: "kty", value: .string("RSA")),
                .init(name: "n", value: .string(TestTokens.base64URL(primitives.modulus))),
                .init(name: "e", value: .string(TestTokens.base64URL(primitives.publicExponent))),
            ]
        case .es256(let key):
            let raw = Array(key.publicKey.rawRepresentation)
            members += [
                .init(name: "kty", value: .string("EC")),
                .init(name: "crv", value: .string("P-256")),
                .init(name: "x", value: .string(TestTokens.base64URL(raw[0..<32]))),
                .init(name: "y", value: .string(TestTokens.base64URL(raw[32..<64]))),
            ]
        }
        if includeAlgorithm {
            members.append(.init(name: "alg", value: .string(algorithm)))
        }
        return .object(JSONObject(members))
    }

    /// Signs `input` with the key's algorithm.
    public func sign(_ input: [UInt8]) throws -> [UInt8] {
        switch material {
        case .rsa(let key):
            Array(try key.signature(for: SHA256.hash(data: input), padding: .insecurePKCS1v1_5).rawRepresentation)
        case .es256(let key):
            Array(try key.signature(for: input).rawRepresentation)
        }
    }
}

/// Builds JWKS documents and compact JWS tokens by hand for tests, including the forgeries a
/// verifier must refuse (`alg: none`, HS256 keyed with a public key).
public enum TestTokens: Sendable {
    /// `{"keys": [...]}` of the keys' public JWKs.
    public static func jwks(_ keys: [TestSigningKey], includeAlgorithm: Bool = true) throws -> [UInt8] {
        JSONWriter().bytes(
            .object(
                JSONObject([
                    .init(name: "keys", value: .array(try keys.map { try $0.jwk(includeAlgorithm: includeAlgorithm) }))
                ])
            )
        )
    }

    /// Claims for an access token: `iss`, `aud`, `sub`, `exp`, optional `nbf`, and `roles` when given.
    ///
    /// - Parameters:
    ///   - issuer: `iss`.
    ///   - audience: `aud`.
    ///   - subject: `sub`.
    ///   - now: Unix seconds the token is issued at (`iat`).
    ///   - lifetime: Seconds from `now` until `exp` (negative for an expired token).
    ///   - notBefore: `nbf` in Unix seconds, if any.
    ///   - roles: `roles`, if any.
    ///   - extra: Further members.
    /// - Returns: The claims object.
    public static func claims(
        issuer: String,
        audience: String,
        subject: String = "alice",
        now: Int64,
        lifetime: Int64 = 300,
        notBefore: Int64? = nil,
        roles: [String]? = nil,
        extra: [JSONObject.Member] = []
    ) -> JSONValue {
        var members: [JSONObject.Member] = [
            .init(name: "iss", value: .string(issuer)),
            .init(name: "aud", value: .string(audience)),
            .init(name: "sub", value: .string(subject)),
            .init(name: "iat", value: .number(JSONNumber(now))),
            .init(name: "exp", value: .number(JSONNumber(now + lifetime))),
        ]
        if let notBefore {
            members.append(.init(name: "nbf", value: .number(JSONNumber(notBefore))))
        }
        if let roles {
            members.append(.init(name: "roles", value: .array(roles.map { .string($0) })))
        }
        return .object(JSONObject(members + extra))
    }

    /// A token signed by `key`, with header `alg` and `kid` from the key unless overridden.
    public static func signed(
        _ key: TestSigningKey,
        claims: JSONValue,
        algorithm: String? = nil,
        kid: String? = nil
    ) throws -> String {
        try token(
            header: header(algorithm: algorithm ?? key.algorithm, kid: kid ?? key.kid),
            claims: claims,
            sign: key.sign
        )
    }

    /// An unsecured token (`alg: none`, empty signature).
    public static func unsigned(claims: JSONValue, kid: String) -> String {
        token(header: header(algorithm: "none", kid: kid), claims: claims) { _ in [] }
    }

    /// An HS256 token whose HMAC key is `secret` (for the public-key-as-secret forgery).
    public static func hmac(secret: [UInt8], kid: String, claims: JSONValue) -> String {
        token(header: header(algorithm: "HS256", kid: kid), claims: claims) { input in
            Array(HMAC<SHA256>.authenticationCode(for: input, using: SymmetricKey(data: secret)))
        }
    }

    /// `header.claims.signature` with `sign` applied to the ASCII of `header.claims`.
    public static func token(header: JSONValue, claims: JSONValue, sign: ([UInt8]) throws -> [UInt8]) rethrows -> String
    {
        let input = base64URL(JSONWriter().bytes(header)) + "." + base64URL(JSONWriter().bytes(claims))
        return input + "." + base64URL(try sign(Array(input.utf8)))
    }

    /// A header with `alg`, `kid` and `typ: JWT`.
    public static func header(algorithm: String, kid: String) -> JSONValue {
        .object(
            JSONObject([
                .init(name: "alg", value: .string(algorithm)),
                .init(name: "typ", value: .string("JWT")),
                .init(name: "kid", value: .string(kid)),
            ])
        )
    }

    /// Unpadded base64url.
    public static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
