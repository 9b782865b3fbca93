// SPDX-License-Identifier: Apache-2.0

import Foundation
import HTTPTypes
import Hummingbird
import Synchronization
public import TocsinCore
import TocsinRules

/// Where denials go: the runtime coalesces them into `tocsin.auth.denied` events.
public protocol AuthAuditing: Sendable {
    /// Records one refused request. Must not block.
    func record(_ denial: DenialCoalescer.Denial)
}

/// Verifies bearer tokens that are not Tocsin API keys (OAuth 2.0 access tokens).
public protocol BearerTokenVerifier: Sendable {
    /// Authenticates `token` at `now` (Unix milliseconds); any bad token is `.denied(.badToken, …)`.
    func authenticate(token: String, now: Int64) async -> Authentication
}

/// Everything that decides who a request is and what it may do: the key ring, token verifier, rate limits and
/// the audit of denials.
///
/// One instance serves the whole API.
public final class AccessControl: Sendable {
    /// Settings of the request limits.
    public struct Limits: Sendable {
        /// Requests a second one identity may make (bursts of twice that); `nil` for no limit.
        public var perIdentity: Double?
        /// Requests a second one address may make (bursts of twice that); `nil` for no limit.
        public var perAddress: Double?
        /// Refused requests a second one address may make before it is answered `429` without
        /// its credential being looked at (bursts of five times that).
        public var failuresPerAddress: Double = 10

        /// Creates the defaults: no per-identity or per-address limit, 10 failures a second.
        public init() {}
    }

    let keys: KeyRing
    let requiresAuthentication: Bool
    private let audit: any AuthAuditing
    private let tokens: (any BearerTokenVerifier)?
    private let clock: @Sendable () -> Int64
    private let failures: Mutex<RateLimiter>
    private let perIdentity: Mutex<RateLimiter?>
    private let perAddress: Mutex<RateLimiter?>

    /// Creates the access control of a server.
    ///
    /// - Parameters:
    ///   - keys: The identities and key hashes in force.
    ///   - requiresAuthentication: `false` lets every request in as ``Principal/anonymous``.
    ///   - audit: Where refused requests are recorded.
    ///   - tokens: Verifies bearer credentials that are not API keys (JWTs); `nil` refuses them.
    ///   - limits: Per-identity and per-address request limits.
    ///   - clock: Unix milliseconds now, injected so tests control
    ///     expiry and limits.
    public init(
        keys: KeyRing,
        requiresAuthentication: Bool = true,
        audit: any AuthAuditing,
        tokens: (any BearerTokenVerifier)? = nil,
        limits: Limits = Limits(),
        clock: @escaping @Sendable () -> Int64
    ) {
        self.keys = keys
        self.requiresAuthentication = requiresAuthentication
        self.audit = audit
        self.tokens = tokens
        self.clock = clock
        self.failures = Mutex(RateLimiter(rate: limits.failuresPerAddress, burst: limits.failuresPerAddress * 5))
        self.perIdentity = Mutex(limits.perIdentity.map { RateLimiter(rate: $0, burst: $0 * 2) })
        self.perAddress = Mutex(limits.perAddress.map { RateLimiter(rate: $0, burst: $0 * 2) })
    }

    /// Unix milliseconds now, from the injected clock.
    var now: Int64 { clock() }

    /// Authenticates the request and checks that the caller holds `permission`.
    ///
    /// - Throws: ``Problem`` `401` for a missing or bad credential, `403` naming the permission,
    ///   `429` with `Retry-After` over a rate limit (every refusal is audited); ``LogUnavailable``
    ///   (`503`) while the key ring is suspended.
    func authorize(
        _ request: Request,
        context: TocsinRequestContext,
        route: String,
        permission: Permission
    ) async throws -> Principal {
        let address = context.remoteIP
        if case .limited(let wait)? = perAddress.withLock({ $0?.spend(address, now: now) }) {
            throw Problem.tooManyRequests(retryAfter: wait, scope: "address")
        }
        guard requiresAuthentication else {
            return .anonymous
        }
        if let reason = keys.suspensionReason {
            throw LogUnavailable(message: "credentials cannot be checked now: \(reason)", retryAfterSeconds: 2)
        }
        let outcome = await authenticate(request, context: context)
        switch outcome {
        case .denied(let reason, let identity):
            deny(reason, identity: identity, permission: permission, request: request, route: route, address: address)
            if case .limited(let wait) = failures.withLock({ $0.spend(address, now: now) }) {
                throw Problem.tooManyRequests(retryAfter: wait, scope: "address")
            }
            throw Problem.unauthorized
        case .granted(let principal):
            guard principal.permissions.contains(permission) else {
                deny(
                    .forbidden,
                    identity: principal.name,
                    permission: permission,
                    request: request,
                    route: route,
                    address: address
                )
                throw Problem.forbidden(permission)
            }
            if case .limited(let wait)? = perIdentity.withLock({ $0?.spend(principal.name, now: now) }) {
                throw Problem.tooManyRequests(retryAfter: wait, scope: "identity")
            }
            return principal
        }
    }

    /// Authenticates an API key presented outside the `Authorization` header (the web console's
    /// login form and session) and checks `permission` when one is given, with the same key ring,
    /// role table and audit as a `/v1` request carrying that key.
    ///
    /// - Parameters:
    ///   - apiKey: The key.
    ///   - permission: What the caller wants to do, or `nil` only to authenticate (login).
    ///   - address: The peer's IP address, for the failure limit and the audit.
    ///   - method: The HTTP method, for the audit.
    ///   - route: The route template, for the audit.
    /// - Returns: The principal, or `nil` when the key or the permission is refused (audited), the
    ///   address is over the failure limit, or the key ring is suspended.
    public func authorize(
        apiKey: String,
        permission: Permission?,
        address: String,
        method: String,
        route: String
    ) -> Principal? {
        guard requiresAuthentication else {
            return .anonymous
        }
        let refuse = { (reason: DenialReason, identity: String?) -> Principal? in
            self.audit.record(
                DenialCoalescer.Denial(
                    reason: reason,
                    address: address,
                    identity: identity,
                    permission: permission?.rawValue,
                    method: method,
                    route: route
                )
            )
            _ = self.failures.withLock { $0.spend(address, now: self.now) }
            return nil
        }
        guard keys.suspensionReason == nil else {
            return nil
        }
        switch keys.authenticate(key: apiKey, now: now) {
        case .denied(let reason, let identity):
            return refuse(reason, identity)
        case .granted(let principal):
            if let permission, !principal.permissions.contains(permission) {
                return refuse(.forbidden, principal.name)
            }
            return principal
        }
    }

    /// Checks that the caller may publish every entry: nothing in Tocsin's reserved namespace
    /// (`tocsin.*` types, `/tocsin…` sources), and everything inside the caller's scope.
    ///
    /// - Throws: ``Problem`` `403` for the whole request when any entry is refused (audited).
    func checkPublish(_ entries: [LogEntry], request: Request, context: TocsinRequestContext) throws {
        let principal = context.caller
        for entry in entries where Self.isReserved(entry.event) {
            deny(.forbidden, identity: principal.name, permission: .publish, request: request, context: context)
            throw Problem.reservedNamespace
        }
        guard let scope = principal.scope else {
            return
        }
        let includingData = principal.scopeReadsData
        for (index, entry) in entries.enumerated()
        where !scope.matches(entry.matchDocument(includingData: includingData)) {
            deny(.outOfScope, identity: principal.name, permission: .publish, request: request, context: context)
            throw Problem.outOfScope(index: index, count: entries.count)
        }
    }

    /// Whether the event claims Tocsin's own namespace.
    static func isReserved(_ event: CloudEvent) -> Bool {
        event.type.hasPrefix("tocsin.") || event.source.hasPrefix("/tocsin")
    }

    /// A bearer credential wins; without an `Authorization` header, a verified client
    /// certificate authenticates by its names.
    private func authenticate(_ request: Request, context: TocsinRequestContext) async -> Authentication {
        guard let header = request.headers[.authorization] else {
            if let names = context.certificateNames {
                return keys.authenticate(certificateNames: names, now: now)
            }
            return .denied(.unknownKey, identity: nil)
        }
        let bytes = header.utf8
        guard bytes.count > 7, header.prefix(7).lowercased() == "bearer " else {
            return .denied(.unknownKey, identity: nil)
        }
        let credential = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        if let tokens, !credential.hasPrefix(APIKeyFormat.prefix) {
            return await tokens.authenticate(token: credential, now: now)
        }
        return keys.authenticate(key: credential, now: now)
    }

    private func deny(
        _ reason: DenialReason,
        identity: String?,
        permission: Permission,
        request: Request,
        context: TocsinRequestContext
    ) {
        let route = context.coreContext.endpointPath.value ?? "-"
        deny(
            reason,
            identity: identity,
            permission: permission,
            request: request,
            route: route,
            address: context.remoteIP
        )
    }

    private func deny(
        _ reason: DenialReason,
        identity: String?,
        permission: Permission,
        request: Request,
        route: String,
        address: String
    ) {
        audit.record(
            DenialCoalescer.Denial(
                reason: reason,
                address: address,
                identity: identity,
                permission: permission.rawValue,
                method: request.method.rawValue,
                route: route
            )
        )
    }
}

/// The shape of Tocsin API keys.
public enum APIKeyFormat: Sendable {
    /// Every key starts with this, so a bearer credential without it is a token.
    public static let prefix = "tsk_"
}
