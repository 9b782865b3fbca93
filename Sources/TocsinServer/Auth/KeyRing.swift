// SPDX-License-Identifier: Apache-2.0

import Crypto
import Synchronization
public import TocsinCore
public import TocsinRules

/// Who a request acts as, once authenticated.
public struct Principal: Sendable {
    /// The identity's name (`anonymous` when authentication is off).
    public var name: String
    /// What the identity may do.
    public var permissions: Set<Permission>
    /// The pattern every event it publishes must match; `nil` for any.
    public var scope: EventPattern?
    /// Whether the scope may look at `data` (when not, checks skip parsing it).
    public var scopeReadsData: Bool

    /// Creates a principal.
    public init(name: String, permissions: Set<Permission>, scope: EventPattern? = nil, scopeReadsData: Bool = true) {
        self.name = name
        self.permissions = permissions
        self.scope = scope
        self.scopeReadsData = scopeReadsData
    }

    /// The principal of every request when authentication is disabled (`--insecure-no-auth`).
    public static let anonymous = Principal(name: "anonymous", permissions: Set(Permission.allCases))
}

/// The outcome of presenting a credential.
public enum Authentication: Sendable {
    /// The credential names an active identity.
    case granted(Principal)
    /// Refused; `identity` when the credential named one.
    case denied(DenialReason, identity: String?)
}

/// The identities and key hashes in force, held in memory for the request path and replaced as a
/// whole when they change (lookups take no lock longer than a dictionary read).
public final class KeyRing: Sendable {
    private struct Snapshot: Sendable {
        var identities: [String: (identity: Identity, principal: Principal)] = [:]
        var secrets: [[UInt8]: KeySecret] = [:]
        var certificates: [String: String] = [:]
    }

    private let snapshot = Mutex(Snapshot())
    private let suspension = Mutex<String?>(nil)

    /// Creates an empty ring (every key is unknown).
    public init() {}

    /// Why credentials cannot be checked now, or `nil` when they can.
    ///
    /// A cluster node suspends its ring while it cannot see the identities bucket: a key revoked on
    /// another node meanwhile must not keep working here. Requests are then refused with `503`.
    public var suspensionReason: String? {
        suspension.withLock { $0 }
    }

    /// Refuses every credential with `503` until ``resume()``, saying `reason`.
    public func suspend(because reason: String) {
        suspension.withLock { $0 = reason }
    }

    /// Checks credentials again.
    public func resume() {
        suspension.withLock { $0 = nil }
    }

    /// Creates a ring holding `identities` and `secrets`.
    public convenience init(identities: [Identity], secrets: [KeySecret]) {
        self.init()
        replace(identities: identities, secrets: secrets)
    }

    /// Replaces everything the ring holds.
    ///
    /// An identity whose scope no longer compiles is kept but can publish nothing.
    public func replace(identities: [Identity], secrets: [KeySecret]) {
        var next = Snapshot()
        for identity in identities {
            var permissions = identity.permissions
            var scope: EventPattern?
            if let source = identity.scope {
                do {
                    scope = try EventPattern(json: source)
                } catch {
                    permissions.remove(.publish)
                }
            }
            let principal = Principal(
                name: identity.name,
                permissions: permissions,
                scope: scope,
                scopeReadsData: Self.readsData(identity.scope)
            )
            next.identities[identity.name] = (identity, principal)
            if let name = identity.certificateName {
                next.certificates[name] = identity.name
            }
        }
        for secret in secrets {
            next.secrets[secret.hash] = secret
        }
        snapshot.withLock { $0 = next }
    }

    /// Authenticates an API key at `now` (Unix milliseconds).
    ///
    /// Compares SHA-256 hashes, so timing reveals nothing about the key.
    public func authenticate(key: String, now: Int64) -> Authentication {
        let hash = Array(SHA256.hash(data: Array(key.utf8)))
        return snapshot.withLock { snapshot in
            guard let secret = snapshot.secrets[hash], let entry = snapshot.identities[secret.identity] else {
                return .denied(.unknownKey, identity: nil)
            }
            if let expiry = secret.expiresAtMilliseconds, now >= expiry {
                return .denied(.revoked, identity: secret.identity)
            }
            return Self.check(entry, now: now)
        }
    }

    /// Authenticates a verified client certificate by its subject CN and DNS/URI SANs.
    public func authenticate(certificateNames: [String], now: Int64) -> Authentication {
        snapshot.withLock { snapshot in
            for name in certificateNames {
                if let identity = snapshot.certificates[name], let entry = snapshot.identities[identity] {
                    return Self.check(entry, now: now)
                }
            }
            return .denied(.badCertificate, identity: nil)
        }
    }

    /// The identity named `name`, if any (revoked ones included).
    public func identity(named name: String) -> Identity? {
        snapshot.withLock { $0.identities[name]?.identity }
    }

    /// Whether a scope pattern may look at `data`: it names `data` or `data_base64` at the top
    /// level, or combines alternatives there (`$or`), or is not an object.
    static func readsData(_ scope: JSONValue?) -> Bool {
        guard let scope else {
            return false
        }
        guard case .object(let object) = scope else {
            return true
        }
        return object.members.contains { ["data", "data_base64", "$or"].contains($0.name) }
    }

    private static func check(_ entry: (identity: Identity, principal: Principal), now: Int64) -> Authentication {
        if entry.identity.revokedAtMilliseconds != nil {
            return .denied(.revoked, identity: entry.identity.name)
        }
        if let expiry = entry.identity.expiresAtMilliseconds, now >= expiry {
            return .denied(.expired, identity: entry.identity.name)
        }
        return .granted(entry.principal)
    }
}
