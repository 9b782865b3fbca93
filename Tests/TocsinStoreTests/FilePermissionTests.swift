// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinCore
import TocsinStore
import TocsinTesting

#if canImport(Glibc)
import Glibc
#endif

/// The database, the files SQLite creates beside it and the key files are 0600 whatever the
/// directory's mode and the umask; a node key others may read or write is refused.
struct FilePermissionTests {
    func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test("every file in a pre-existing 0755 data directory is 0600 under umask 022, WAL and -shm included")
    func ownerOnlyFiles() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(chmod(directory.path, 0o755) == 0)
        let previous = umask(0o022)
        defer { umask(previous) }
        try await withRunningStore(directory: directory) { store, path in
            _ = try store.identities.bootstrapAdminKey(dataDirectory: path, now: 0)
            _ = try await store.append([EventFixtures.sshFailure(id: "a")])
            let names = try FileManager.default.contentsOfDirectory(atPath: path)
            #expect(Set(["tocsin.db", "tocsin.db-wal", "tocsin.db-shm", "node.key", "admin.key"]).isSubset(of: names))
            for name in names where name != KeyFiles.nodePublicKeyName {
                #expect(try mode(path + "/" + name) == 0o600, "\(name)")
            }
        }
        #expect(try mode(directory.path) == 0o755, "an operator's directory mode is left alone")
    }

    @Test("a database left 0644 by an older version is narrowed to 0600 at start")
    func widerDatabaseNarrowed() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await withRunningStore(directory: directory) { store, _ in
            _ = try await store.append([EventFixtures.sshFailure(id: "a")])
        }
        for name in ["tocsin.db", "tocsin.db-wal", "tocsin.db-shm"]
        where FileManager.default.fileExists(atPath: directory.path + "/" + name) {
            #expect(chmod(directory.path + "/" + name, 0o644) == 0)
        }
        try await withRunningStore(directory: directory) { store, path in
            _ = try await store.append([EventFixtures.sshFailure(id: "b")])
            for name in ["tocsin.db", "tocsin.db-wal", "tocsin.db-shm"] {
                #expect(try mode(path + "/" + name) == 0o600, "\(name)")
            }
        }
    }

    @Test(
        "a node.key that group or others may read or write is refused, saying to chmod 600 it",
        arguments: [0o644, 0o640, 0o620, 0o602]
    )
    func looseNodeKeyRefused(permissions: Int) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await withRunningStore(directory: directory) { _, _ in }
        let key = directory.path + "/node.key"
        #expect(chmod(key, mode_t(permissions)) == 0)
        let error = try #require(openingError(directory))
        #expect(error.code == .keyFile)
        #expect(error.message.contains("chmod 600 \(key)"))
        #expect(chmod(key, 0o600) == 0)
        #expect(openingError(directory) == nil)
    }
}
