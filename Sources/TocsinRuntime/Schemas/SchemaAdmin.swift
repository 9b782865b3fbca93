// SPDX-License-Identifier: Apache-2.0

import Synchronization
import TocsinCore
import TocsinSchema
import TocsinServer
import TocsinStore

/// The API's view of the schema registry: the registry is rebuilt from the store at start and held in memory;
/// each registration is stored, added, and recorded as a `tocsin.schema.registered` event.
final class SchemaAdmin: SchemaAdministration {
    private let store: EventStore
    private let clock: @Sendable () -> Int64
    private let state: Mutex<SchemaRegistry>

    private init(store: EventStore, clock: @escaping @Sendable () -> Int64, registry: SchemaRegistry) {
        self.store = store
        self.clock = clock
        self.state = Mutex(registry)
    }

    /// Loads every stored version.
    ///
    /// - Throws: ``SchemaLoadError`` when a stored version no longer compiles, or a store error.
    static func load(store: EventStore, clock: @escaping @Sendable () -> Int64) async throws -> SchemaAdmin {
        SchemaAdmin(store: store, clock: clock, registry: try await Self.registry(from: store))
    }

    var registry: SchemaRegistry {
        state.withLock { $0 }
    }

    func register(
        type: String,
        document: JSONValue,
        compatibility: SchemaCompatibilityMode?,
        actor: String
    ) async throws -> SchemaRegistry.Version {
        while true {
            let version = try state.withLock { registry throws(SchemaRegistrationError) in
                try registry.prepare(type: type, document: document, compatibility: compatibility)
            }
            let stored = try await store.schemaVersions.insert(
                StoredSchemaVersion(
                    type: type,
                    version: version.version,
                    document: JSONWriter().string(document),
                    compatibility: version.compatibility.rawValue,
                    actor: actor,
                    createdAtMilliseconds: clock()
                )
            )
            guard stored else {
                // Another registration took this number first: read the store again and check against it.
                let fresh = try await Self.registry(from: store)
                state.withLock { $0 = fresh }
                continue
            }
            state.withLock { registry in
                if (registry.latest(of: type)?.version ?? 0) == version.version - 1 {
                    registry.restore(version)
                }
            }
            _ = try await store.append([
                InternalEvents.make(
                    type: "tocsin.schema.registered",
                    source: "/tocsin/admin",
                    subject: type,
                    time: clock(),
                    data: [
                        ("type", .string(type)),
                        ("version", .number(JSONNumber(Int64(version.version)))),
                        ("compatibility", .string(version.compatibility.rawValue)),
                        ("digest", .string(version.digest)),
                        ("actor", .string(actor)),
                    ]
                )
            ])
            return version
        }
    }

    func recentData(of type: String, limit: Int) async throws -> [JSONValue] {
        let parser = JSONParser()
        return try await store.schemaVersions.recentJSONData(of: type, limit: limit).compactMap { bytes in
            try? parser.parse(bytes)
        }
    }

    private static func registry(from store: EventStore) async throws -> SchemaRegistry {
        var registry = SchemaRegistry()
        let parser = JSONParser()
        for row in try await store.schemaVersions.all() {
            do {
                let version = try SchemaRegistry.Version(
                    type: row.type,
                    version: row.version,
                    document: try parser.parse(Array(row.document.utf8)),
                    compatibility: SchemaCompatibilityMode(rawValue: row.compatibility) ?? .backward,
                    limits: registry.limits
                )
                registry.restore(version)
            } catch {
                throw SchemaLoadError(type: row.type, version: row.version, reason: "\(error)")
            }
        }
        return registry
    }
}

/// A stored schema version that can no longer be used (its document does not parse or compile).
struct SchemaLoadError: Error, CustomStringConvertible {
    /// The event type.
    var type: String
    /// The version number.
    var version: Int
    /// Why.
    var reason: String

    var description: String {
        "stored schema version \(version) of event type \(type) cannot be loaded: \(reason); "
            + "restore the database from a backup made by this Tocsin version"
    }
}
