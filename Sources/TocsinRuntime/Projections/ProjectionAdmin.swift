// SPDX-License-Identifier: Apache-2.0

import TocsinCore
import TocsinServer
import TocsinStore

/// The projections API over the store's rebuilder; every rebuild is a `tocsin.projection.rebuilt`
/// event naming the acting identity.
struct ProjectionAdmin: ProjectionAdministration {
    let store: EventStore
    let rebuilder: ProjectionRebuilder
    let clock: @Sendable () -> Int64
    /// Runs after a rebuild swapped `name` in (the routing table reloads the rebuilt rules).
    var rebuilt: @Sendable (String) async throws -> Void = { _ in }

    var names: [String] {
        ProjectionRebuilder.names
    }

    func rebuild(_ name: String, actor: String) async throws -> JSONValue {
        let unlogged = try await rebuilder.unloggedRows(name, identifiers: store.identifiers)
        if !unlogged.isEmpty {
            _ = try await store.append(unlogged)
        }
        let result = try await rebuilder.rebuild(name)
        try await rebuilt(name)
        _ = try await store.append([
            InternalEvents.make(
                type: "tocsin.projection.rebuilt",
                source: "/tocsin/admin",
                subject: name,
                time: clock(),
                data: [
                    ("projection", .string(name)),
                    ("through", InternalEvents.number(result.through)),
                    ("events", InternalEvents.number(Int64(result.events))),
                    ("actor", .string(actor)),
                ]
            )
        ])
        return result.json
    }

    func check(_ name: String) async throws -> JSONValue {
        try await rebuilder.compare(name, nowMilliseconds: clock()).json
    }
}
