// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinStore
import TocsinTesting

/// Registered schema versions on a real SQLite file: append-only, one row per (type, version), kept across restarts.
struct SchemaVersionStoreTests {
    static func version(_ type: String, _ number: Int, _ document: String) -> StoredSchemaVersion {
        StoredSchemaVersion(
            type: type,
            version: number,
            document: document,
            compatibility: "backward",
            actor: "admin",
            createdAtMilliseconds: Int64(number)
        )
    }

    @Test func versionsAreKeptInOrderAndANumberIsNeverReused() async throws {
        let directory = try TemporaryDirectory()
        try await withRunningStore(directory: directory) { store, _ in
            let stored = [
                try await store.schemaVersions.insert(Self.version("b.type", 1, #"{"type":"object"}"#)),
                try await store.schemaVersions.insert(Self.version("a.type", 1, "true")),
                try await store.schemaVersions.insert(Self.version("b.type", 2, #"{"type":"object","required":[]}"#)),
                try await store.schemaVersions.insert(Self.version("b.type", 2, "false")),
            ]
            #expect(stored == [true, true, true, false])
        }
        try await withRunningStore(directory: directory) { store, _ in
            let rows = try await store.schemaVersions.all()
            #expect(rows.map { "\($0.type)@\($0.version)" } == ["a.type@1", "b.type@1", "b.type@2"])
            #expect(rows.last?.document == #"{"type":"object","required":[]}"#)
            #expect(rows.last?.actor == "admin")
        }
    }
}
