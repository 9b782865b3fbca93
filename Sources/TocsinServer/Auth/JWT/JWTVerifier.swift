// SPDX-License-Identifier: Apache-2.0

import JWTKit
public import Logging
import Synchronization
import TocsinCore

/// Verifies JWT bearer tokens (OAuth 2.0 access tokens) from one identity provider with jwt-kit,
/// against the keys of its JWKS.
///
/// The key is chosen by the token's `kid`, and the algorithm by the key (see ``JWKSKeySet``):
/// a token whose `alg` differs from its key's is refused before any signature check, so `none`
/// and HS256-signed-with-the-RSA-public-key never verify. After the signature: `iss` and `aud`
/// exactly, `exp` (required) and `nbf` with ``JWTConfiguration/clockSkewMilliseconds`` of skew,
/// and a `sub` that names the principal `jwt:<sub>`. Roles come from the roles claim and
/// `scope`/`scp`.
///
/// A token with an unknown `kid` refetches the JWKS, at most once per
/// ``JWTConfiguration/refreshIntervalMilliseconds`` on the request's clock; requests arriving
/// during a fetch wait for it instead of starting another. Every failure is
/// `.denied(.badToken, …)`; nothing throws, and no token is ever logged.
public final class JWTVerifier: BearerTokenVerifier {
    private struct State: ~Copyable {
        var keys: JWKSKeySet = .empty
        var gate: JWKSRefreshGate
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    /// The settings tokens are checked against.
    public let configuration: JWTConfiguration
    private let source: any JWKSFetching
    private let policy: JWTClaimsPolicy
    private let templates: JWTRoleTemplates
    private let logger: Logger
    private let state: Mutex<State>

    /// Creates a verifier with no keys yet; call ``load()`` before serving.
    ///
    /// - Throws: ``ServerSetupError`` `.jwtOption` when a role scope is not usable.
    public init(configuration: JWTConfiguration, keys source: any JWKSFetching, logger: Logger) throws(ServerSetupError)
    {
        self.configuration = configuration
        self.source = source
        self.policy = JWTClaimsPolicy(configuration)
        self.templates = try JWTRoleTemplates(scopes: configuration.roleScopes)
        self.logger = logger
        self.state = Mutex(
            State(gate: JWKSRefreshGate(intervalMilliseconds: configuration.refreshIntervalMilliseconds))
        )
    }

    /// Loads the JWKS (at start; not rate-limited).
    ///
    /// - Throws: ``ServerSetupError`` `.jwks` when it cannot be read or holds no usable key; the
    ///   keys held so far are kept.
    public func load() async throws(ServerSetupError) {
        let keys = try await fetchKeys()
        state.withLock { $0.keys = keys }
        logKeys(keys, message: "Loaded the JWKS.")
    }

    /// The `kid`s of the keys in use, sorted.
    public var keyIdentifiers: [String] {
        state.withLock { $0.keys.keys.keys.sorted() }
    }

    /// Authenticates `token` at `now` (Unix milliseconds).
    public func authenticate(token: String, now: Int64) async -> Authentication {
        guard token.utf8.count <= configuration.maxTokenBytes, let token = CompactToken(token) else {
            return refuse("malformed", identity: nil)
        }
        guard let algorithm = token.header["alg"]?.stringValue, JWKSKeySet.algorithms.contains(algorithm) else {
            return refuse("algorithm-not-allowed", identity: nil)
        }
        guard token.header["crit"] == nil else {
            return refuse("critical-header", identity: nil)
        }
        guard let kid = token.header["kid"]?.stringValue, !kid.isEmpty, kid.utf8.count <= 256 else {
            return refuse("missing-kid", identity: nil)
        }
        var key = state.withLock { $0.keys[kid] }
        if key == nil {
            await refreshForUnknownKey(now: now)
            key = state.withLock { $0.keys[kid] }
        }
        guard let key else {
            return refuse("unknown-kid", identity: nil)
        }
        guard key.algorithm == algorithm else {
            return refuse("algorithm-mismatch", identity: nil)
        }
        guard (try? key.verifier.verify(token.signature, signs: token.signingInput)) == true else {
            return refuse("bad-signature", identity: nil)
        }
        guard let claims = try? JSONParser(limits: CompactToken.jsonLimits).parse(token.payload) else {
            return refuse("payload-not-json", identity: nil)
        }
        switch policy.check(claims, now: now) {
        case .failure(let refusal):
            let identity = JWTClaimsPolicy.subject(claims).map { JWTConfiguration.principalPrefix + $0 }
            return refuse(refusal.rawValue, identity: identity)
        case .success(let grant):
            return .granted(
                templates.principal(named: JWTConfiguration.principalPrefix + grant.subject, roles: grant.roles)
            )
        }
    }

    private func refuse(_ reason: String, identity: String?) -> Authentication {
        logger.debug("Bearer token refused.", metadata: ["jwt.refusal": "\(reason)"])
        return .denied(.badToken, identity: identity)
    }

    private func refreshForUnknownKey(now: Int64) async {
        switch state.withLock({ $0.gate.unknownKey(now: now) }) {
        case .fetch:
            var keys: JWKSKeySet?
            do {
                keys = try await fetchKeys()
            } catch {
                logger.warning(
                    "Could not refresh the JWKS; keeping the keys in use.",
                    metadata: ["jwks.location": "\(source.location)", "error": "\(error)"]
                )
            }
            let waiting = state.withLock { state in
                if let keys {
                    state.keys = keys
                }
                state.gate.fetchFinished()
                defer { state.waiting = [] }
                return state.waiting
            }
            for continuation in waiting {
                continuation.resume()
            }
            if let keys {
                logKeys(keys, message: "Refreshed the JWKS for an unknown kid.")
            }
        case .join:
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let queued = state.withLock { state in
                    guard state.gate.isFetching else {
                        return false
                    }
                    state.waiting.append(continuation)
                    return true
                }
                if !queued {
                    continuation.resume()
                }
            }
        case .refuse:
            return
        }
    }

    private func fetchKeys() async throws(ServerSetupError) -> JWKSKeySet {
        let bytes: [UInt8]
        do {
            bytes = try await source.fetch()
        } catch let error as ServerSetupError {
            throw error
        } catch {
            throw ServerSetupError(
                code: .jwks,
                message:
                    "Cannot fetch the JWKS from \(source.location) (\(error)); check the URL and that the identity provider is reachable."
            )
        }
        return try await JWKSKeySet.parse(bytes, location: source.location)
    }

    private func logKeys(_ keys: JWKSKeySet, message: Logger.Message) {
        logger.info(
            message,
            metadata: [
                "jwks.location": "\(source.location)",
                "jwks.kids": "\(keys.keys.keys.sorted().joined(separator: ","))",
            ]
        )
        for reason in keys.skipped {
            logger.warning(
                "Skipped a JWKS key.",
                metadata: ["jwks.location": "\(source.location)", "reason": "\(reason)"]
            )
        }
    }
}
