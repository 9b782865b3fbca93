// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
import Testing
import TocsinCore
import TocsinStore
import TocsinTesting

/// Target secrets are encrypted at rest: the raw database files never hold them in clear.
struct DefinitionSealingTests {
    static let secretPath = "T0000SECRET/B0000SECRET/slackSecretTokenValue42"
    static let target = #"{"kind":"slack","url":"https://hooks.slack.com/services/\#(secretPath)"}"#

    /// Whether any of the database's files contains `needle` as raw bytes.
    static func rawFilesContain(_ needle: String, in directory: String) throws -> Bool {
        let bytes = Array(needle.utf8)
        for name in ["tocsin.db", "tocsin.db-wal"] {
            guard let data = FileManager.default.contents(atPath: directory + "/" + name) else {
                continue
            }
            let haystack = Array(data)
            if haystack.count >= bytes.count,
                (0...(haystack.count - bytes.count)).contains(where: {
                    haystack[$0..<($0 + bytes.count)].elementsEqual(bytes)
                })
            {
                return true
            }
        }
        return false
    }

    @Test("a stored target reads back, and no database file holds its secret")
    func sealedAtRest() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await withRunningStore(directory: directory) { store, _ in
            _ = try await store.routing.putDefinition(.target, name: "chat", json: Self.target)
            _ = try await store.routing.putDefinition(.rule, name: "r", json: #"{"pattern":{"type":["x"]}}"#)
            let stored = try await store.routing.definitions(.target)
            #expect(stored.count == 1 && (try? stored[0].json.get()) == Self.target)
        }
        #expect(try !Self.rawFilesContain(Self.secretPath, in: directory.path))
        #expect(
            try Self.rawFilesContain(#"{"pattern":{"type":["x"]}}"#, in: directory.path),
            "rules are stored as written"
        )
        #expect(FileManager.default.fileExists(atPath: directory.path + "/definitions.key"))
    }

    @Test("with another data directory's key, the target does not open and says why")
    func wrongKey() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await withRunningStore(directory: directory) { store, _ in
            _ = try await store.routing.putDefinition(.target, name: "chat", json: Self.target)
        }
        try FileManager.default.removeItem(atPath: directory.path + "/definitions.key")
        try await withRunningStore(directory: directory) { store, _ in
            let stored = try await store.routing.definitions(.target)
            guard case .failure(let error)? = stored.first?.json else {
                Issue.record("the target opened with a new key")
                return
            }
            #expect(error.code == .corruptRecord)
            #expect(error.message.contains("definitions.key") && !error.message.contains("SECRET"))
        }
    }

    @Test("a sealed box moved to another target's row does not open")
    func boundToRow() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await withRunningStore(directory: directory) { store, _ in
            _ = try await store.routing.putDefinition(.target, name: "chat", json: Self.target)
        }
        try tamper(
            directory.path,
            "INSERT INTO definitions (kind, name, json, updated_ms) SELECT kind, 'other', json, updated_ms FROM definitions WHERE name = 'chat'"
        )
        try await withRunningStore(directory: directory) { store, _ in
            let stored = try await store.routing.definitions(.target)
            #expect(stored.count == 2)
            #expect((try? stored.first { $0.name == "chat" }?.json.get()) == Self.target)
            #expect((try? stored.first { $0.name == "other" }?.json.get()) == nil)
        }
    }

    @Test("targets stored in clear by an earlier version are sealed at start and the clear text is gone")
    func clearRowsSealedAtStart() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await withRunningStore(directory: directory) { _, _ in }
        try tamper(
            directory.path,
            "INSERT INTO definitions (kind, name, json, updated_ms) VALUES ('target', 'legacy', '\(Self.target)', 0)"
        )
        #expect(try Self.rawFilesContain(Self.secretPath, in: directory.path), "the earlier version's row is in clear")
        try await withRunningStore(directory: directory) { store, _ in
            let stored = try await store.routing.definitions(.target)
            #expect((try? stored.first?.json.get()) == Self.target)
        }
        #expect(try !Self.rawFilesContain(Self.secretPath, in: directory.path))
    }
}
