// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
import Logging
import ServiceLifecycle
import Testing
import TocsinActions
import TocsinConfig
import TocsinCore
import TocsinServer
import TocsinStore
import TocsinTesting

@testable import TocsinRuntime

/// Targets defined through the API keep their secrets out of the log and rebuild from it; targets
/// an older version stored whole are split at start and logged once.
struct TargetSecretsTests {
    static let secret = "legacySigningSecret5Kq"
    static let rotated = "rotatedSigningSecret8Jw"
    static let redactor = SecretRedactor(keyBytes: Array(repeating: 1, count: 32))

    /// Runs `body` with a running store and routing state in a fresh data directory.
    func withRouting(
        _ body: @Sendable (EventStore, RoutingState, String) async throws -> Void
    ) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let configuration = StoreConfiguration(dataDirectory: directory.path)
        let logger = Logger(label: "test")
        let store = try EventStore.open(configuration, logger: logger, clock: SystemWallClock())
        let group = ServiceGroup(services: store.services, gracefulShutdownSignals: [], logger: logger)
        async let running: Void = group.run()
        let state = RoutingState(store: store.routing, kinds: ActionRegistry.targetKinds, logger: logger)
        let result: Result<Void, any Error>
        do {
            result = .success(try await body(store, state, directory.path))
        } catch {
            result = .failure(error)
        }
        await group.triggerGracefulShutdown()
        try await running
        try result.get()
    }

    /// The API's side of routing definitions over `store` and `state`.
    static func admin(_ store: EventStore, _ state: RoutingState) -> RoutingAdmin {
        RoutingAdmin(
            store: store,
            state: state,
            redactor: redactor,
            blocklist: StoreBlocklist(store: store, clock: SystemWallClock(), serverAddresses: [])
        )
    }

    /// The JSON text of each event's data.
    static func texts(_ events: [CloudEvent]) -> [String] {
        events.compactMap { event in
            guard case .json(let bytes)? = event.data else {
                return nil
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    @Test("a target stored whole by an older version is split, logged once, and rebuilds with its secret")
    func legacyTargetIsSplit() async throws {
        try await withRouting { store, state, path in
            let old = #"{"kind":"webhook","url":"https://soc.example/in","secret":"\#(Self.secret)"}"#
            _ = try await store.routing.putDefinition(.target, name: "old", json: old, at: 1_800_000_000_000)
            let split = try await LegacyTargetSplitter.split(
                store.routing,
                kinds: ActionRegistry.targetKinds,
                redactor: Self.redactor,
                logger: Logger(label: "test")
            )
            #expect(split == 1)
            try await state.rebuild()
            let target = try #require(state.current.targets["old"])
            #expect(target.redactedJSON(Self.redactor)["secret"] == .string(Self.redactor.fingerprint(Self.secret)))

            let rebuilder = ProjectionRebuilder(store: store, scratchDirectory: path)
            let unlogged = try await rebuilder.unloggedRows("targets", identifiers: store.identifiers)
            #expect(unlogged.map(\.subject) == ["old"])
            _ = try await store.append(unlogged)
            #expect(try await rebuilder.compare("targets", nowMilliseconds: 0).isEqual)
            _ = try await rebuilder.rebuild("targets")
            try await state.rebuild()
            #expect(state.current.targets["old"] == target, "the rebuilt target has its secret")
            let logged = Self.texts(unlogged).joined()
            #expect(
                logged.contains("\"template\"") && !logged.contains(Self.secret) && !logged.contains("soc.example/in")
            )
        }
    }

    @Test("a target defined, rotated and deleted through the API: no secret in the log, the rebuild equals it")
    func apiTargetRoundTrip() async throws {
        try await withRouting { store, state, path in
            try await state.rebuild()
            let admin = Self.admin(store, state)
            for (name, secret) in [("hook", Self.secret), ("hook", Self.rotated), ("gone", Self.secret)] {
                let text = #"{"kind":"webhook","url":"https://soc.example/in","secret":"\#(secret)"}"#
                _ = try await admin.put(
                    .target,
                    name: name,
                    definition: try JSONParser().parse(Array(text.utf8)),
                    actor: "alice"
                )
            }
            #expect(try await admin.delete(.target, name: "gone", actor: "alice"))
            let rebuilder = ProjectionRebuilder(store: store, scratchDirectory: path)
            #expect(try await rebuilder.compare("targets", nowMilliseconds: 0).isEqual)
            let before = try #require(state.current.targets["hook"])
            _ = try await rebuilder.rebuild("targets")
            try await state.rebuild()
            #expect(state.current.targets["hook"] == before && state.current.targets["gone"] == nil)
            let text = Self.texts(try await store.query(EventQuery(after: 0, limit: 100)).events.map(\.event))
            #expect(text.contains { $0.contains("\"template\"") })
            #expect(
                !text.contains {
                    $0.contains(Self.secret) || $0.contains(Self.rotated) || $0.contains("soc.example/in")
                }
            )
        }
    }

    @Test("a read model whose back-fill refuses (a target's secret is gone) leaves the others following the log")
    func failedBackfillLeavesOthersFollowing() async throws {
        try await withRouting { store, state, path in
            try await state.rebuild()
            let admin = Self.admin(store, state)
            let hook = #"{"kind":"webhook","url":"https://soc.example/in","secret":"\#(Self.secret)"}"#
            for name in ["hook", "other"] {
                _ = try await admin.put(
                    .target,
                    name: name,
                    definition: try JSONParser().parse(Array(hook.utf8)),
                    actor: "a"
                )
            }
            // The secret of one target is lost (a restore from an incomplete backup).
            let database = try DatabaseQueue(path: path + "/tocsin.db")
            try await database.write { try $0.execute(sql: "DELETE FROM target_secrets WHERE target = 'hook'") }
            let cursor = { @Sendable (name: String) async throws -> Int64? in
                try await database.read {
                    try Int64.fetchOne($0, sql: "SELECT seq FROM cursors WHERE name = ?", arguments: [name])
                }
            }
            let rebuilder = ProjectionRebuilder(store: store, scratchDirectory: path)
            let follower = Task {
                try await ProjectionFollower(store: store, rebuilder: rebuilder, logger: Logger(label: "test")).run()
            }
            defer { follower.cancel() }
            _ = try await eventually { try await cursor("projection.rules") }
            let rule = #"{"pattern":{"type":["x"]},"targets":[{"target":"other"}]}"#
            _ = try await admin.put(.rule, name: "r", definition: try JSONParser().parse(Array(rule.utf8)), actor: "a")
            let ruleSequence = try await store.lastSequence()
            let followed = try await holds(within: .seconds(30)) {
                (try await cursor("projection.rules") ?? 0) >= ruleSequence
            }
            #expect(followed, "the rules read model stopped following the log")
            #expect(try await cursor("projection.targets") == nil, "a target without its secret was rebuilt")
        }
    }
}
