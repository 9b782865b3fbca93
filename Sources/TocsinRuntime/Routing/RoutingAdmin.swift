// SPDX-License-Identifier: Apache-2.0

import Foundation
import TocsinActions
import TocsinConfig
import TocsinCore
import TocsinResponse
import TocsinServer
import TocsinStore

/// The API's view of routing: validates changes against the whole configuration, stores them,
/// appends a `tocsin.rule.*` / `tocsin.target.*` event and swaps the routing table.
struct RoutingAdmin: RoutingAdministration {
    let store: EventStore
    let state: RoutingState
    /// Fingerprints target secrets in what the API returns and the log records.
    let redactor: SecretRedactor
    let blocklist: StoreBlocklist
    /// Tells the delivery loop that dead letters are pending again, so it reads them at once.
    var redriven: @Sendable () -> Void = {}
    /// On a cluster node, the shared dead letters and the stream their changes are recorded in.
    ///
    /// Rules and targets then come from the rules directory only, the same files on every node.
    var cluster: ClusterAdministration?

    /// Refuses a change of a definition through the API on a cluster node.
    private func refuseOnCluster(_ kind: DefinitionKind) throws {
        if cluster != nil {
            throw AdministrationError.conflict(
                "on a cluster (--backend nats) every node routes with the same \(kind.rawValue)s, which come from "
                    + "the rules directory (--rules-dir, the same files on every node); change them there and "
                    + "reload each node (SIGHUP); see docs/scale-out.md"
            )
        }
    }

    func put(
        _ kind: DefinitionKind,
        name: String,
        definition: JSONValue,
        actor: String
    ) async throws -> (created: Bool, stored: JSONValue) {
        try refuseOnCluster(kind)
        let clock: any WallClock = blocklist.clock
        return try await state.serially { [store, state, redactor] in
            if kind == .rule ? state.isFileDefined(rule: name) : state.isFileDefined(target: name) {
                throw AdministrationError.conflict(
                    "this \(kind.rawValue) is defined in the rules directory; change it there"
                )
            }
            let (shown, split) = try await Self.validate(
                kind,
                name: name,
                definition: definition,
                against: state,
                redactor: redactor
            )
            // A definition is stored in the form its event records, dated with the event's time, so
            // the definitions projections rebuild the same row from the log: a rule normalised, a
            // target with each secret replaced by its fingerprint (the secrets go to the sealed
            // secret store, never into the log).
            let now = clock.milliseconds
            var data: [(String, JSONValue)] = [("name", .string(name)), ("definition", shown)]
            let created: Bool
            if let split {
                created = try await store.routing.putTarget(
                    name,
                    template: split.template,
                    secrets: split.secrets,
                    at: now
                )
                data += [("template", split.template), ("secrets", .array(split.fingerprints.map { .string($0) }))]
            } else {
                created = try await store.routing.putDefinition(
                    .rule,
                    name: name,
                    json: JSONWriter().string(shown),
                    at: now
                )
            }
            _ = try await store.append([
                InternalEvents.make(
                    type: "tocsin.\(kind.rawValue).\(created ? "created" : "updated")",
                    source: "/tocsin/admin",
                    subject: name,
                    time: now,
                    data: data + [("actor", .string(actor))]
                )
            ])
            try await state.rebuild()
            return (created, shown)
        }
    }

    /// Checks `definition` alone and against the whole configuration; returns the form to show,
    /// and for a target, its secrets split from the form to store.
    private static func validate(
        _ kind: DefinitionKind,
        name: String,
        definition: JSONValue,
        against state: RoutingState,
        redactor: SecretRedactor
    ) async throws -> (shown: JSONValue, split: TargetSecretTemplate?) {
        do {
            if kind == .rule {
                let rule = try RuleDefinition(name: name, json: definition)
                _ = try await state.trial(rule: rule)
                return (rule.json, nil)
            }
            let target = try TargetDefinition(name: name, json: definition, kinds: state.kinds)
            if let reason = target.hostConfigurationReason {
                throw AdministrationError.hostConfiguration(
                    "\(reason), so the API may not define it: only someone who can write the host's files should. "
                        + "Put it in a YAML file in the rules directory (tocsin serve --rules-dir DIR); see docs/targets/"
                )
            }
            _ = try await state.trial(target: target)
            return (target.redactedJSON(redactor), TargetSecretTemplate(definition, target: target, redactor: redactor))
        } catch let error as ConfigError {
            throw AdministrationError.invalid(error.diagnostics.map(\.description))
        }
    }

    func get(_ kind: DefinitionKind, name: String) async throws -> JSONValue? {
        let table = state.current
        if kind == .rule {
            return table.rules[name]?.json
        }
        return table.targets[name]?.redactedJSON(redactor)
    }

    func list(_ kind: DefinitionKind) async throws -> [(name: String, definition: JSONValue)] {
        let table = state.current
        if kind == .rule {
            return table.rules.values.sorted { $0.name < $1.name }.map { ($0.name, $0.json) }
        }
        return table.targets.values.sorted { $0.name < $1.name }.map { ($0.name, $0.redactedJSON(redactor)) }
    }

    func delete(_ kind: DefinitionKind, name: String, actor: String) async throws -> Bool {
        try refuseOnCluster(kind)
        return try await state.serially { [store, state] in
            if kind == .rule ? state.isFileDefined(rule: name) : state.isFileDefined(target: name) {
                throw AdministrationError.conflict(
                    "this \(kind.rawValue) is defined in the rules directory; remove it there"
                )
            }
            do {
                _ = try await state.trial(
                    removingRule: kind == .rule ? name : nil,
                    removingTarget: kind == .target ? name : nil
                )
            } catch let error as ConfigError {
                throw AdministrationError.conflict(
                    "rules still send to this target; change them first (\(error.diagnostics.map(\.path).joined(separator: ", ")))"
                )
            }
            guard try await store.routing.deleteDefinition(Self.storeKind(kind), name: name) else {
                return false
            }
            _ = try await store.append([
                InternalEvents.make(
                    type: "tocsin.\(kind.rawValue).deleted",
                    source: "/tocsin/admin",
                    subject: name,
                    data: [("name", .string(name)), ("actor", .string(actor))]
                )
            ])
            if kind == .target {
                try await store.routing.deleteTargetSecrets(name)
            }
            try await state.rebuild()
            return true
        }
    }

    func deliveries(event: Int64) async throws -> [DeliveryRecord] {
        try await store.routing.deliveries(event: event)
    }

    func deadLetters(_ filter: DeliveryFilter) async throws -> [DeliveryRecord] {
        if let cluster {
            return try await cluster.deadLetters.deadLetters(filter)
        }
        return try await store.routing.deadLetters(filter)
    }

    func redrive(_ filter: DeliveryFilter, actor: String) async throws -> RedriveResult {
        let outcome: (deliveries: [RedrivenDelivery], milliseconds: Int64)
        if let cluster {
            let now = blocklist.clock.milliseconds
            outcome = (try await cluster.deadLetters.redrive(filter, now: now), now)
        } else {
            outcome = try await store.routing.redriveDeadLetters(filter)
        }
        let byTarget = outcome.deliveries.reduce(into: [String: Int]()) { $0[$1.target, default: 0] += 1 }
        if !outcome.deliveries.isEmpty {
            redriven()
        }
        _ = try await (cluster?.log ?? store).append([
            DeliveryEvents.redriven(outcome.deliveries, at: outcome.milliseconds, source: "/tocsin/admin", actor: actor)
        ])
        let circuits = byTarget.isEmpty ? [:] : try await store.breakerStates()
        return RedriveResult(
            redrivenByTarget: byTarget,
            openCircuits: Set(byTarget.keys.filter { circuits[$0] == "open" })
        )
    }

    func purge(_ filter: DeliveryFilter, actor: String) async throws -> Int {
        let ids: [Int64]
        if let cluster {
            ids = try await cluster.deadLetters.purge(filter)
        } else {
            ids = try await store.routing.purge(filter)
        }
        _ = try await (cluster?.log ?? store).append([
            DeliveryEvents.deleted(
                ids,
                type: "tocsin.dlq.purged",
                source: "/tocsin/admin",
                actor: actor
            )
        ])
        return ids.count
    }

    /// The active entries, each validated again as read back (a row altered in the database is
    /// left out of the feed).
    func blocklist() async throws -> [BlocklistEntry] {
        let active = try await blocklist.activeEntries(nowMilliseconds: blocklist.clock.now.millisecondsSinceEpoch)
        return BlocklistPolicy(neverBlock: [], maxEntries: .max).validated(active).valid
    }

    func blocklistFiles() async throws -> [BlocklistFileStatus] {
        try await blocklist.fileStatuses(of: state.current)
    }

    private static func storeKind(_ kind: DefinitionKind) -> RoutingStore.DefinitionKind {
        kind == .rule ? .rule : .target
    }
}
