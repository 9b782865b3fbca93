// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// One identity as the cluster keeps it: the value of key `identity.<name>` in the identities
/// bucket, JSON, holding the identity and the SHA-256 hashes of its keys, never a key.
///
/// One key per identity, so a revocation or a rotation is one compare-and-set at the revision the
/// writer read, and every node's watcher applies it as a whole.
struct ClusterIdentityRecord: Sendable, Hashable {
    /// The identity (revoked ones stay, so their name is never reused).
    var identity: Identity
    /// Its key hashes; a rotation adds one and gives the others an expiry.
    var secrets: [KeySecret]

    /// The bucket key of the identity named `name`.
    static func key(_ name: String) -> String {
        "identity." + name
    }

    /// The record as the bucket stores it.
    var bytes: [UInt8] {
        var members: [JSONObject.Member] = [
            .init(name: "name", value: .string(identity.name)),
            .init(name: "roles", value: .array(identity.roles.sorted().map { .string($0.rawValue) })),
            .init(name: "created_ms", value: .number(JSONNumber(identity.createdAtMilliseconds))),
        ]
        if let scope = identity.scope {
            members.append(.init(name: "scope", value: scope))
        }
        if let expiry = identity.expiresAtMilliseconds {
            members.append(.init(name: "expires_ms", value: .number(JSONNumber(expiry))))
        }
        if let certificate = identity.certificateName {
            members.append(.init(name: "certificate_cn", value: .string(certificate)))
        }
        if let revoked = identity.revokedAtMilliseconds {
            members.append(.init(name: "revoked_ms", value: .number(JSONNumber(revoked))))
        }
        let keys = secrets.map { secret -> JSONValue in
            var key: [JSONObject.Member] = [.init(name: "sha256", value: .string(Self.hex(secret.hash)))]
            if let expiry = secret.expiresAtMilliseconds {
                key.append(.init(name: "expires_ms", value: .number(JSONNumber(expiry))))
            }
            return .object(JSONObject(key))
        }
        members.append(.init(name: "keys", value: .array(keys)))
        return JSONWriter().bytes(.object(JSONObject(members)))
    }

    /// Reads a stored record; `nil` when the bytes are not one (a value written by something else).
    init?(bytes: [UInt8]) {
        guard let document = try? JSONParser().parse(bytes), let name = document["name"]?.stringValue,
            Identity.isValidName(name), case .array(let roleNames)? = document["roles"],
            let created = Self.integer(document["created_ms"]), case .array(let keys)? = document["keys"]
        else {
            return nil
        }
        let identity = Identity(
            name: name,
            roles: Set(roleNames.compactMap { $0.stringValue.flatMap(Role.init(rawValue:)) }),
            scope: document["scope"],
            expiresAtMilliseconds: Self.integer(document["expires_ms"]),
            certificateName: document["certificate_cn"]?.stringValue,
            createdAtMilliseconds: created,
            revokedAtMilliseconds: Self.integer(document["revoked_ms"])
        )
        var secrets: [KeySecret] = []
        for key in keys {
            guard let text = key["sha256"]?.stringValue, let hash = Self.bytes(hex: text), hash.count == 32 else {
                return nil
            }
            secrets.append(
                KeySecret(hash: hash, identity: name, expiresAtMilliseconds: Self.integer(key["expires_ms"]))
            )
        }
        self.init(identity: identity, secrets: secrets)
    }

    /// Creates a record.
    init(identity: Identity, secrets: [KeySecret]) {
        self.identity = identity
        self.secrets = secrets
    }

    private static func integer(_ value: JSONValue?) -> Int64? {
        guard case .number(let number)? = value else {
            return nil
        }
        return number.int64Value
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static func bytes(hex text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count.isMultiple(of: 2) else {
            return nil
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else {
                return nil
            }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
