// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
public import TocsinCore

/// Identities and the SHA-256 hashes of their keys, as the store keeps them.
///
/// Keys themselves are never stored: they are shown once, when created or rotated.
public struct IdentityStore: Sendable {
    private let pool: DatabasePool

    init(pool: DatabasePool) {
        self.pool = pool
    }

    /// On first start, creates the `admin` identity, writes its key to `admin.key` (0600) and
    /// stores the key's hash.
    ///
    /// - Returns: `true` when a new key was created.
    public func bootstrapAdminKey(dataDirectory: String, now: Int64) throws -> Bool {
        let exists = try pool.read { db in
            try Bool.fetchOne(
                db,
                sql: "SELECT EXISTS (SELECT 1 FROM identities WHERE name = ?)",
                arguments: [Identity.bootstrapName]
            ) ?? false
        }
        guard !exists else {
            return false
        }
        let key = KeyFiles.generateAPIKey()
        let path = dataDirectory + "/" + KeyFiles.adminKeyName
        try? FileManager.default.removeItem(atPath: path)
        try KeyFiles.writeSecret(key + "\n", to: path)
        let identity = Identity(name: Identity.bootstrapName, roles: [.admin], createdAtMilliseconds: now)
        try pool.write { db in try Self.insert(identity, secretHash: KeyFiles.hashAPIKey(key), db: db) }
        return true
    }

    /// Every identity, revoked ones included, and every stored key hash.
    public func load() throws -> (identities: [Identity], secrets: [KeySecret]) {
        try pool.read { db in
            let identities = try Row.fetchAll(
                db,
                sql: """
                    SELECT name, roles, scope, expires_ms, certificate_cn, created_ms, revoked_ms
                    FROM identities ORDER BY name
                    """
            ).map(Self.identity(row:))
            let secrets = try Row.fetchAll(db, sql: "SELECT hash, identity, expires_ms FROM key_secrets").map { row in
                KeySecret(
                    hash: Array(row["hash"] as Data),
                    identity: row["identity"],
                    expiresAtMilliseconds: row["expires_ms"]
                )
            }
            return (identities, secrets)
        }
    }

    /// Stores a new identity and, for a key identity, its key's hash.
    ///
    /// - Throws: ``StoreError`` `conflict` when the name (even a revoked one) or the certificate
    ///   name is taken.
    public func create(_ identity: Identity, secretHash: [UInt8]?) async throws {
        try await pool.write { db in
            let taken =
                try Bool.fetchOne(
                    db,
                    sql: "SELECT EXISTS (SELECT 1 FROM identities WHERE name = ? OR certificate_cn = ?)",
                    arguments: [identity.name, identity.certificateName]
                ) ?? false
            guard !taken else {
                throw StoreError(
                    code: .conflict,
                    message:
                        "an identity with this name or certificate name exists (revoked names are not reused); choose another"
                )
            }
            try Self.insert(identity, secretHash: secretHash, db: db)
        }
    }

    /// Revokes the identity; its keys stop working at once.
    ///
    /// - Returns: whether an active identity of that name existed.
    public func revoke(name: String, now: Int64) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE identities SET revoked_ms = ? WHERE name = ? AND revoked_ms IS NULL",
                arguments: [now, name]
            )
            return db.changesCount > 0
        }
    }

    /// Gives an active key identity a new key; its other keys stop working at `previousUntil`
    /// (`now` for at once).
    ///
    /// - Returns: whether an active key identity of that name existed.
    public func rotate(name: String, newHash: [UInt8], previousUntil: Int64, now: Int64) async throws -> Bool {
        try await pool.write { db in
            let active =
                try Bool.fetchOne(
                    db,
                    sql: """
                        SELECT EXISTS (SELECT 1 FROM identities i JOIN key_secrets k ON k.identity = i.name
                                       WHERE i.name = ? AND i.revoked_ms IS NULL)
                        """,
                    arguments: [name]
                ) ?? false
            guard active else {
                return false
            }
            try db.execute(
                sql: """
                    UPDATE key_secrets SET expires_ms = ?
                    WHERE identity = ? AND (expires_ms IS NULL OR expires_ms > ?)
                    """,
                arguments: [previousUntil, name, previousUntil]
            )
            try db.execute(
                sql: "INSERT INTO key_secrets (hash, identity, created_ms) VALUES (?, ?, ?)",
                arguments: [Data(newHash), name, now]
            )
            return true
        }
    }

    private static func insert(_ identity: Identity, secretHash: [UInt8]?, db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO identities (name, roles, scope, expires_ms, certificate_cn, created_ms)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                identity.name, identity.roles.sorted().map(\.rawValue).joined(separator: ","),
                identity.scope.map { JSONWriter().string($0) }, identity.expiresAtMilliseconds,
                identity.certificateName, identity.createdAtMilliseconds,
            ]
        )
        if let secretHash {
            try db.execute(
                sql: "INSERT INTO key_secrets (hash, identity, created_ms) VALUES (?, ?, ?)",
                arguments: [Data(secretHash), identity.name, identity.createdAtMilliseconds]
            )
        }
    }

    static func identity(row: Row) throws -> Identity {
        let roleNames: String = row["roles"]
        let scopeText: String? = row["scope"]
        return Identity(
            name: row["name"],
            roles: Set(roleNames.split(separator: ",").compactMap { Role(rawValue: String($0)) }),
            scope: try scopeText.map { try JSONParser().parse(Array($0.utf8)) },
            expiresAtMilliseconds: row["expires_ms"],
            certificateName: row["certificate_cn"],
            createdAtMilliseconds: row["created_ms"],
            revokedAtMilliseconds: row["revoked_ms"]
        )
    }
}
