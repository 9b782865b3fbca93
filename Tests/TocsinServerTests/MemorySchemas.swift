// SPDX-License-Identifier: Apache-2.0

import Synchronization
import TocsinCore
import TocsinSchema
import TocsinServer

/// A schema registry in memory, for route tests: registrations are prepared and restored, nothing is stored.
final class MemorySchemas: SchemaAdministration {
    private let state = Mutex(SchemaRegistry())
    /// What ``recentData(of:limit:)`` answers, for every type.
    let samples: [JSONValue]

    init(samples: [JSONValue] = []) {
        self.samples = samples
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
        try state.withLock { registry throws(SchemaRegistrationError) in
            let version = try registry.prepare(type: type, document: document, compatibility: compatibility)
            registry.restore(version)
            return version
        }
    }

    func recentData(of type: String, limit: Int) async throws -> [JSONValue] {
        Array(samples.prefix(limit))
    }
}
