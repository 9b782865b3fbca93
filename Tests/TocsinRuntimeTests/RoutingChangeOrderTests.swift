// SPDX-License-Identifier: Apache-2.0

import Foundation
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

/// Reloads of the rules directory and API changes racing each other: after every round, the
/// routing table equals what applying the logged changes in log order gives.
struct RoutingChangeOrderTests {
    /// What the log says the routing definitions are, folded in sequence order.
    struct LoggedState: Equatable {
        var apiRules: [String: JSONValue] = [:]
        var fileRules: Set<String> = []
        var cursor: Int64 = 0

        mutating func fold(_ store: EventStore) async throws {
            while true {
                let page = try await store.query(EventQuery(after: cursor, limit: 500))
                for logged in page.events {
                    apply(logged.event)
                    cursor = logged.sequence
                }
                if page.events.isEmpty {
                    return
                }
            }
        }

        mutating func apply(_ event: CloudEvent) {
            guard case .json(let bytes)? = event.data, let data = try? JSONParser().parse(bytes) else {
                return
            }
            let name = data["name"]?.stringValue ?? ""
            switch event.type {
            case "tocsin.rule.created", "tocsin.rule.updated":
                apiRules[name] = data["definition"]
            case "tocsin.rule.deleted":
                apiRules[name] = nil
            case "tocsin.config.reloaded":
                guard case .array(let names)? = data["rules"] else { return }
                fileRules = Set(names.compactMap(\.stringValue))
            default:
                break
            }
        }
    }

    static func rulesFile(round: Int) -> String {
        let variant = round % 3
        var text = """
            targets:
              file-hook: {kind: webhook, url: "http://127.0.0.1:9/hook"}
            rules:
              file-rule-\(variant): {pattern: {type: [f\(round)]}, targets: [{target: file-hook}]}

            """
        if round % 2 == 0 {
            text += "  file-extra: {pattern: {source: [/f]}, targets: [{target: file-hook}]}\n"
        }
        return text
    }

    static func apiRule(round: Int) -> JSONValue {
        let text = #"{"pattern":{"type":["a\#(round)"]},"targets":[{"target":"file-hook"}]}"#
        return (try? JSONParser().parse(Array(text.utf8))) ?? .null
    }

    @Test("1,000 rounds of a reload racing API puts and deletes", .timeLimit(.minutes(5)))
    func racingChanges() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-routing-order")
        defer { directory.remove() }
        let rules = directory.path + "/rules"
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        try Data(Self.rulesFile(round: 0).utf8).write(to: URL(fileURLWithPath: rules + "/main.yaml"))
        var configuration = StoreConfiguration(dataDirectory: directory.path + "/data")
        configuration.synchronous = .normal
        configuration.announcesCheckpoints = false
        let logger = Logger(label: "test")
        let store = try EventStore.open(configuration, logger: logger, clock: SystemWallClock())
        let group = ServiceGroup(services: store.services, gracefulShutdownSignals: [], logger: logger)
        async let running: Void = group.run()

        let state = RoutingState(store: store.routing, kinds: ActionRegistry.targetKinds, logger: logger)
        try await state.rebuild()
        let loader = RulesDirectoryLoader(directory: rules, state: state, store: store, logger: logger)
        try await loader.recordInitial(try await loader.installInitial())
        let admin = RoutingAdmin(
            store: store,
            state: state,
            redactor: SecretRedactor(keyBytes: Array(repeating: 1, count: 32)),
            blocklist: StoreBlocklist(store: store, clock: SystemWallClock(), serverAddresses: [])
        )
        let builtins = Set(BuiltinDefinitions.rules.map(\.name))
        var logged = LoggedState()
        var mismatches: [String] = []
        for round in 1...1_000 {
            try Data(Self.rulesFile(round: round).utf8).write(to: URL(fileURLWithPath: rules + "/main.yaml"))
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await loader.reload() }
                group.addTask {
                    _ = try? await admin.put(
                        .rule,
                        name: "api-\(round % 7)",
                        definition: Self.apiRule(round: round),
                        actor: "alice"
                    )
                }
                if round % 5 == 0 {
                    group.addTask { _ = try? await admin.delete(.rule, name: "api-\((round + 3) % 7)", actor: "bob") }
                }
            }
            try await logged.fold(store)
            let table = state.current
            let expectedNames = logged.fileRules.union(logged.apiRules.keys).union(builtins)
            let apiDefinitionsMatch = logged.apiRules.allSatisfy { table.rules[$0.key]?.json == $0.value }
            if Set(table.rules.keys) != expectedNames || !apiDefinitionsMatch {
                mismatches.append("round \(round)")
            }
        }
        #expect(mismatches.isEmpty, "the table differs from the log's order of changes: \(mismatches.prefix(5))")
        #expect(logged.fileRules.contains("file-rule-\(1_000 % 3)"), "the last reload is in force")
        #expect(logged.apiRules.count == 7 || logged.apiRules.count == 6, "the API rules were stored")
        await group.triggerGracefulShutdown()
        try await running
    }
}
