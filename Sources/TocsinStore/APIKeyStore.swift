// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
import Synchronization
public import TocsinCore

/// API keys as the store keeps them: only SHA-256 hashes, cached in memory for the request path.
public final class APIKeyStore: APIKeyVerifier, Sendable {
    private let pool: DatabasePool
    private let active = Mutex<Set<[UInt8]>>([])

    init(pool: DatabasePool) {
        self.pool = pool
    }

    /// On first start, creates the admin key, writes it to `admin.key` (0600) and stores its hash.
    ///
    /// - Returns: `true` when a new key was created.
    public func bootstrapAdminKey(dataDirectory: String) throws -> Bool {
        let exists = try pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM api_keys WHERE name = 'admin')") ?? false
        }
        var created = false
        if !exists {
            let key = KeyFiles.generateAPIKey()
            let path = dataDirectory + "/" + KeyFiles.adminKeyName
            try? FileManager.default.removeItem(atPath: path)
            try KeyFiles.writeSecret(key + "\n", to: path)
            let hash = KeyFiles.hashAPIKey(key)
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            try pool.write { db in
                try db.execute(
                    sql: "INSERT INTO api_keys (name, key_hash, created_ms) VALUES ('admin', ?, ?)",
                    arguments: [Data(hash), now]
                )
            }
            created = true
        }
        try reload()
        return created
    }

    /// Reloads the in-memory set of active key hashes from the store.
    public func reload() throws {
        let hashes = try pool.read { db in
            try Data.fetchAll(db, sql: "SELECT key_hash FROM api_keys WHERE revoked_ms IS NULL")
        }
        active.withLock { $0 = Set(hashes.map { Array($0) }) }
    }

    /// Revokes the key named `name`; the admin key cannot be revoked this way.
    ///
    /// - Returns: whether an active key of that name existed.
    public func revoke(name: String) async throws -> Bool {
        guard name != "admin" else {
            throw StoreError(code: .refused, message: "the admin key cannot be revoked by an action; rotate it by hand")
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let revoked = try await pool.write { db in
            try db.execute(
                sql: "UPDATE api_keys SET revoked_ms = ? WHERE name = ? AND revoked_ms IS NULL",
                arguments: [now, name]
            )
            return db.changesCount > 0
        }
        try reload()
        return revoked
    }

    /// Whether `key` is an active API key.
    ///
    /// Compares hashes, so timing reveals nothing about the key.
    public func isValid(_ key: String) -> Bool {
        let hash = KeyFiles.hashAPIKey(key)
        return active.withLock { $0.contains(hash) }
    }
}
