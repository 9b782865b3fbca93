// SPDX-License-Identifier: Apache-2.0

import Crypto
import JWTKit
import TocsinCore

/// The signing keys of a JSON Web Key Set, by `kid`, each bound to the one algorithm it verifies.
///
/// The algorithm comes from the key, never from a token: the JWK's `alg` when it names an
/// asymmetric algorithm that fits the key type, else the key type's default (`RSA` → RS256,
/// `EC` by curve → ES256/ES384/ES512, `OKP` Ed25519 → EdDSA). Symmetric (`oct`) keys, keys for
/// encryption (`use: enc`) and keys without a `kid` are skipped, so a token can never choose HMAC
/// or `none`.
struct JWKSKeySet: Sendable {
    /// One verification key.
    struct Key: Sendable {
        /// The JWS algorithm it verifies (`RS256`, `ES256`, …).
        var algorithm: String
        /// jwt-kit's verifier for the key and algorithm.
        var verifier: any JWTAlgorithm
    }

    /// The algorithms a key may be bound to.
    static let algorithms: Set<String> = [
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
    ]

    /// The largest JWKS document read.
    static let maxBytes = 1024 * 1024

    /// The keys by `kid`.
    private(set) var keys: [String: Key] = [:]
    /// Why keys of the document were left out (`kid` and reason; never key material).
    private(set) var skipped: [String] = []

    /// A set with no keys.
    static let empty = JWKSKeySet()

    /// The key with identifier `kid`.
    subscript(kid: String) -> Key? {
        keys[kid]
    }

    /// Parses a JWKS document (`{"keys": [ … ]}`).
    ///
    /// - Parameters:
    ///   - bytes: The document.
    ///   - location: The file or URL it came from, for messages.
    /// - Returns: The usable keys, and why the others were skipped.
    /// - Throws: ``ServerSetupError`` `.jwks` when the document is not a JWKS or holds no usable key.
    static func parse(_ bytes: [UInt8], location: String) async throws(ServerSetupError) -> JWKSKeySet {
        let document: JSONValue
        do {
            document = try JSONParser(limits: .init(maxDepth: 8, maxBytes: maxBytes)).parse(bytes)
        } catch {
            throw Self.invalid(location, "is not JSON (\(error))")
        }
        guard case .array(let entries)? = document["keys"] else {
            throw Self.invalid(location, "has no \"keys\" array; it must be a JSON Web Key Set ({\"keys\": [...]})")
        }
        var set = JWKSKeySet()
        for (index, entry) in entries.enumerated() {
            let kid = entry["kid"]?.stringValue
            do {
                guard let kid, !kid.isEmpty else {
                    throw Skip("key \(index) has no kid")
                }
                guard set.keys[kid] == nil else {
                    throw Skip("kid \(kid) appears twice; the first key is used")
                }
                set.keys[kid] = try await makeKey(entry, kid: kid)
            } catch let skip as Skip {
                set.skipped.append(skip.reason)
            } catch {
                set.skipped.append("kid \(kid ?? "?") is not a valid key (\(type(of: error)))")
            }
        }
        guard !set.keys.isEmpty else {
            throw Self.invalid(
                location,
                "holds no usable signing key; each key needs a kid and kty RSA, EC (P-256, P-384, P-521) or OKP (Ed25519)"
                    + (set.skipped.isEmpty ? "" : " (skipped: \(set.skipped.joined(separator: "; ")))")
            )
        }
        return set
    }

    /// The algorithm a key is bound to, or `nil` when the key cannot sign JWTs for Tocsin.
    static func algorithm(keyType: String, curve: String?, declared: String?) -> String? {
        let natural: [String]
        switch (keyType, curve) {
        case ("RSA", _): natural = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]
        case ("EC", "P-256"): natural = ["ES256"]
        case ("EC", "P-384"): natural = ["ES384"]
        case ("EC", "P-521"): natural = ["ES512"]
        case ("OKP", "Ed25519"): natural = ["EdDSA"]
        default: return nil
        }
        guard let declared else {
            return natural[0]
        }
        return natural.contains(declared) ? declared : nil
    }

    private struct Skip: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    private static func makeKey(_ entry: JSONValue, kid: String) async throws -> Key {
        if let use = entry["use"]?.stringValue, use != "sig" {
            throw Skip("kid \(kid) is for \(use), not sig")
        }
        if case .array(let operations)? = entry["key_ops"], !operations.contains(.string("verify")) {
            throw Skip("kid \(kid) key_ops does not include verify")
        }
        let keyType = entry["kty"]?.stringValue ?? ""
        guard
            let algorithm = algorithm(
                keyType: keyType,
                curve: entry["crv"]?.stringValue,
                declared: entry["alg"]?.stringValue
            )
        else {
            throw Skip("kid \(kid) (kty \(keyType)) has no asymmetric signing algorithm Tocsin accepts")
        }
        let collection = JWTKeyCollection()
        let identifier = JWKIdentifier(string: kid)
        func member(_ name: String) throws -> String {
            guard let value = entry[name]?.stringValue else {
                throw Skip("kid \(kid) has no \(name)")
            }
            return value
        }
        switch algorithm {
        case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
            let key = try Insecure.RSA.PublicKey(modulus: try member("n"), exponent: try member("e"))
            let digest: DigestAlgorithm =
                algorithm.hasSuffix("256") ? .sha256 : algorithm.hasSuffix("384") ? .sha384 : .sha512
            if algorithm.hasPrefix("PS") {
                await collection.add(pss: key, digestAlgorithm: digest, kid: identifier)
            } else {
                await collection.add(rsa: key, digestAlgorithm: digest, kid: identifier)
            }
        case "ES256":
            await collection.add(
                ecdsa: try ES256PublicKey(parameters: (try member("x"), try member("y"))),
                kid: identifier
            )
        case "ES384":
            await collection.add(
                ecdsa: try ES384PublicKey(parameters: (try member("x"), try member("y"))),
                kid: identifier
            )
        case "ES512":
            await collection.add(
                ecdsa: try ES512PublicKey(parameters: (try member("x"), try member("y"))),
                kid: identifier
            )
        default:
            await collection.add(eddsa: try EdDSA.PublicKey(x: try member("x"), curve: .ed25519), kid: identifier)
        }
        let verifier = try await collection.getKey(for: identifier)
        guard verifier.name == algorithm else {
            throw Skip("kid \(kid) did not load as \(algorithm)")
        }
        return Key(algorithm: algorithm, verifier: verifier)
    }

    private static func invalid(_ location: String, _ detail: String) -> ServerSetupError {
        ServerSetupError(code: .jwks, message: "The JWKS at \(location) \(detail).")
    }
}
