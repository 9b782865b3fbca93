// SPDX-License-Identifier: Apache-2.0

/// A named caller of the API: its roles, an optional scope pattern that every event it publishes
/// must match, an optional expiry, and an optional client-certificate name it authenticates by.
///
/// Secrets are not part of an identity: the store keeps only their SHA-256 as ``KeySecret``s.
public struct Identity: Sendable, Hashable {
    /// The unique name (`okta-hook`): 1 to 63 of `a-z 0-9 . _ -`, starting with a letter or digit.
    public var name: String
    /// The roles granted.
    public var roles: Set<Role>
    /// An event pattern (as JSON) every published event must match; `nil` for none.
    public var scope: JSONValue?
    /// When the identity stops working, in Unix milliseconds; `nil` for never.
    public var expiresAtMilliseconds: Int64?
    /// A client certificate whose subject CN or a DNS/URI SAN equals this authenticates as the identity.
    public var certificateName: String?
    /// When it was created, in Unix milliseconds.
    public var createdAtMilliseconds: Int64
    /// When it was revoked, in Unix milliseconds; `nil` while active.
    public var revokedAtMilliseconds: Int64?

    /// The name of the identity created at first start, whose key is in `<data-dir>/admin.key`.
    public static let bootstrapName = "admin"

    /// Creates an identity.
    public init(
        name: String,
        roles: Set<Role>,
        scope: JSONValue? = nil,
        expiresAtMilliseconds: Int64? = nil,
        certificateName: String? = nil,
        createdAtMilliseconds: Int64,
        revokedAtMilliseconds: Int64? = nil
    ) {
        self.name = name
        self.roles = roles
        self.scope = scope
        self.expiresAtMilliseconds = expiresAtMilliseconds
        self.certificateName = certificateName
        self.createdAtMilliseconds = createdAtMilliseconds
        self.revokedAtMilliseconds = revokedAtMilliseconds
    }

    /// The union of the roles' permissions.
    public var permissions: Set<Permission> {
        roles.reduce(into: []) { $0.formUnion($1.permissions) }
    }

    /// Whether `name` is a valid identity name.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...63).contains(bytes.count), let first = bytes.first, isAlphanumeric(first) else {
            return false
        }
        return bytes.allSatisfy {
            isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
        }
    }

    /// Whether `name` is a valid certificate name: 1 to 253 printable ASCII characters, no spaces.
    public static func isValidCertificateName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        return (1...253).contains(bytes.count) && bytes.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    /// The identity as the API shows it (never a secret).
    public var jsonValue: JSONValue {
        var members: [JSONObject.Member] = [
            .init(name: "name", value: .string(name)),
            .init(name: "roles", value: .array(roles.sorted().map { .string($0.rawValue) })),
        ]
        if let scope {
            members.append(.init(name: "scope", value: scope))
        }
        if let expiresAtMilliseconds {
            members.append(.init(name: "expires_at", value: .string(Self.timestamp(expiresAtMilliseconds))))
        }
        if let certificateName {
            members.append(.init(name: "certificate_cn", value: .string(certificateName)))
        }
        members.append(.init(name: "created_at", value: .string(Self.timestamp(createdAtMilliseconds))))
        if let revokedAtMilliseconds {
            members.append(.init(name: "revoked_at", value: .string(Self.timestamp(revokedAtMilliseconds))))
        }
        return .object(JSONObject(members))
    }

    private static func timestamp(_ milliseconds: Int64) -> String {
        Timestamp(epochMilliseconds: milliseconds).description
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}

/// One secret key of an identity, as the store keeps it: the SHA-256 of the key, never the key.
///
/// An identity has one current key; a rotation keeps the previous one until its grace period ends.
public struct KeySecret: Sendable, Hashable {
    /// SHA-256 of the key's UTF-8 text.
    public var hash: [UInt8]
    /// The identity it authenticates.
    public var identity: String
    /// When the key stops working (the end of a rotation's grace period); `nil` for never.
    public var expiresAtMilliseconds: Int64?

    /// Creates a secret record.
    public init(hash: [UInt8], identity: String, expiresAtMilliseconds: Int64? = nil) {
        self.hash = hash
        self.identity = identity
        self.expiresAtMilliseconds = expiresAtMilliseconds
    }
}
