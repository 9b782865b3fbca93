// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
import Testing
import TocsinCore
import TocsinTesting

@testable import TocsinStore

/// Identities and key hashes on a real SQLite file.
struct IdentityStoreTests {
    @Test("the admin key file is 0600 and only its hash is stored")
    func adminKey() async throws {
        try await withRunningStore { store, directory in
            #expect(try store.identities.bootstrapAdminKey(dataDirectory: directory, now: 1))
            #expect(try !store.identities.bootstrapAdminKey(dataDirectory: directory, now: 2))
            let key = try String(contentsOfFile: directory + "/admin.key", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let (identities, secrets) = try store.identities.load()
            #expect(identities.map(\.name) == ["admin"])
            #expect(identities.first?.roles == [.admin])
            #expect(secrets == [KeySecret(hash: KeyFiles.hashAPIKey(key), identity: "admin")])
            for name in ["admin.key", "node.key"] {
                let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/" + name)
                #expect((attributes[.posixPermissions] as? Int) == 0o600)
            }
            let database = try Data(contentsOf: URL(fileURLWithPath: directory + "/tocsin.db"))
            #expect(database.range(of: Data(key.utf8)) == nil)
        }
    }

    @Test("identities keep roles, scope, expiry and certificate name; names are never reused")
    func createAndConflict() async throws {
        try await withRunningStore { store, _ in
            let scope = try JSONParser().parse(#"{"source":[{"prefix":"/okta/"}]}"#)
            let hook = Identity(
                name: "okta-hook",
                roles: [.publisher],
                scope: scope,
                expiresAtMilliseconds: 5000,
                createdAtMilliseconds: 10
            )
            try await store.identities.create(hook, secretHash: [1, 2, 3])
            let service = Identity(
                name: "ingest-svc",
                roles: [.publisher, .reader],
                certificateName: "ingest-svc.prod",
                createdAtMilliseconds: 11
            )
            try await store.identities.create(service, secretHash: nil)
            let (identities, secrets) = try store.identities.load()
            #expect(identities == [service, hook])
            #expect(secrets == [KeySecret(hash: [1, 2, 3], identity: "okta-hook")])
            await #expect(throws: StoreError.self) { try await store.identities.create(hook, secretHash: [9]) }
            var sameCertificate = service
            sameCertificate.name = "other"
            await #expect(throws: StoreError.self) {
                try await store.identities.create(sameCertificate, secretHash: nil)
            }
            #expect(try await store.identities.revoke(name: "okta-hook", now: 20))
            #expect(try await !store.identities.revoke(name: "okta-hook", now: 21), "already revoked")
            await #expect(throws: StoreError.self, "a revoked name is not reused") {
                try await store.identities.create(hook, secretHash: [7])
            }
            #expect(
                try store.identities.load().identities.first { $0.name == "okta-hook" }?.revokedAtMilliseconds == 20
            )
        }
    }

    @Test("rotation adds a key and ends the previous one at the grace period's end")
    func rotate() async throws {
        try await withRunningStore { store, _ in
            try await store.identities.create(
                Identity(name: "bot", roles: [.reader], createdAtMilliseconds: 0),
                secretHash: [1]
            )
            #expect(try await store.identities.rotate(name: "bot", newHash: [2], previousUntil: 500, now: 100))
            #expect(try await store.identities.rotate(name: "bot", newHash: [3], previousUntil: 200, now: 200))
            let secrets = Set(try store.identities.load().secrets)
            #expect(
                secrets == [
                    KeySecret(hash: [1], identity: "bot", expiresAtMilliseconds: 200),
                    KeySecret(hash: [2], identity: "bot", expiresAtMilliseconds: 200),
                    KeySecret(hash: [3], identity: "bot"),
                ]
            )
            #expect(try await !store.identities.rotate(name: "nobody", newHash: [4], previousUntil: 0, now: 0))
            _ = try await store.identities.revoke(name: "bot", now: 300)
            #expect(
                try await !store.identities.rotate(name: "bot", newHash: [5], previousUntil: 0, now: 400),
                "revoked"
            )
        }
    }

    @Test("a data directory from before identities keeps its admin key as the admin identity")
    func migratesAPIKeys() throws {
        let directory = try TemporaryDirectory()
        let pool = try DatabasePool(path: directory.path + "/tocsin.db")
        try Schema.migrator.migrate(pool, upTo: "v3-ocsf")
        try pool.write { db in
            try db.execute(sql: "INSERT INTO api_keys VALUES ('admin', x'0102', 5, NULL), ('old-bot', x'0304', 6, 7)")
        }
        try Schema.migrator.migrate(pool)
        let (identities, secrets) = try IdentityStore(pool: pool).load()
        #expect(identities.map(\.name) == ["admin", "old-bot"])
        #expect(identities.allSatisfy { $0.roles == [.admin] })
        #expect(identities.last?.revokedAtMilliseconds == 7)
        #expect(
            Set(secrets) == [
                KeySecret(hash: [1, 2], identity: "admin"), KeySecret(hash: [3, 4], identity: "old-bot"),
            ]
        )
    }
}
