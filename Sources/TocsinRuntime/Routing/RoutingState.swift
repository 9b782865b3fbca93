// SPDX-License-Identifier: Apache-2.0

import Logging
import Synchronization
import TocsinConfig
import TocsinCore
import TocsinStore

/// The routing table in force, rebuilt from the store's definitions (API) and the rules directory
/// (files) and swapped atomically; readers take a snapshot and keep it for a whole batch.
///
/// Every change (an API change, a reload of the rules directory) runs through ``serially(_:)``:
/// one writer, so changes apply in the order their events reach the log and none overwrites another.
final class RoutingState: Sendable {
    private let table = Mutex(RoutingTable.empty)
    private let files = Mutex(FileDefinitions())
    private let changes = SerialChanges()
    private let store: RoutingStore
    private let logger: Logger
    /// The target kinds definitions are read with.
    let kinds: TargetKinds

    /// What the rules directory defined at the last good load.
    struct FileDefinitions: Sendable {
        var rules: [RuleDefinition] = []
        var targets: [TargetDefinition] = []
        /// Sigma rules come only from files.
        var sigma = SigmaDefinitions()
    }

    init(store: RoutingStore, kinds: TargetKinds, logger: Logger) {
        self.store = store
        self.kinds = kinds
        self.logger = logger
    }

    /// Runs `change` (validate, store, append its event, rebuild) after every change submitted
    /// before it, and before any submitted after it.
    func serially<T: Sendable>(_ change: @escaping @Sendable () async throws -> T) async throws -> T {
        try await changes.run(change)
    }

    /// The current table.
    var current: RoutingTable {
        table.withLock { $0 }
    }

    /// Names defined by files (the API may not change them).
    func isFileDefined(rule name: String) -> Bool {
        files.withLock { $0.rules.contains { $0.name == name } }
    }

    func isFileDefined(target name: String) -> Bool {
        files.withLock { $0.targets.contains { $0.name == name } }
    }

    /// Replaces the file definitions and rebuilds; on failure nothing changes.
    ///
    /// - Throws: ``ConfigError`` when the combined definitions are inconsistent.
    func replaceFiles(_ definitions: FileDefinitions) async throws {
        let table = try await build(files: definitions, stored: storedDefinitions())
        files.withLock { $0 = definitions }
        self.table.withLock { $0 = table }
    }

    /// Rebuilds from the store and the current files.
    func rebuild() async throws {
        let table = try await build(files: files.withLock { $0 }, stored: storedDefinitions())
        self.table.withLock { $0 = table }
    }

    /// The table that stored definitions plus `candidate` changes would give, for validation.
    func trial(
        rule: RuleDefinition? = nil,
        target: TargetDefinition? = nil,
        removingRule: String? = nil,
        removingTarget: String? = nil
    )
        async throws -> RoutingTable
    {
        var stored = try await storedDefinitions()
        if let rule {
            stored.rules.removeAll { $0.name == rule.name }
            stored.rules.append(rule)
        }
        if let target {
            stored.targets.removeAll { $0.name == target.name }
            stored.targets.append(target)
        }
        stored.rules.removeAll { $0.name == removingRule }
        stored.targets.removeAll { $0.name == removingTarget }
        return try await build(files: files.withLock { $0 }, stored: stored)
    }

    /// The table with the rules defined through the API replaced by `storedRules`, and the rules
    /// directory's event-pattern rules by `fileRules` when given (a past version, for a replay);
    /// the directory's targets and Sigma rules, stored targets and built-in definitions as they are now.
    ///
    /// - Throws: ``ConfigError`` when a rule names a target that no longer exists.
    func table(storedRules: [RuleDefinition], fileRules: [RuleDefinition]? = nil) async throws -> RoutingTable {
        var stored = try await storedDefinitions()
        stored.rules = storedRules
        var files = files.withLock { $0 }
        if let fileRules {
            files.rules = fileRules
        }
        return try await build(files: files, stored: stored)
    }

    private func build(files: FileDefinitions, stored: FileDefinitions) async throws -> RoutingTable {
        let fileRules = Set(files.rules.map(\.name))
        let fileTargets = Set(files.targets.map(\.name))
        var rules = files.rules + stored.rules.filter { !fileRules.contains($0.name) }
        var targets = files.targets + stored.targets.filter { !fileTargets.contains($0.name) }
        let ruleNames = Set(rules.map(\.name))
        let targetNames = Set(targets.map(\.name))
        rules += BuiltinDefinitions.rules.filter { !ruleNames.contains($0.name) }
        targets += BuiltinDefinitions.targets(kinds: kinds).filter { !targetNames.contains($0.name) }
        return try RoutingTable(rules: rules, targets: targets, sigma: files.sigma)
    }

    private func storedDefinitions() async throws -> FileDefinitions {
        var definitions = FileDefinitions()
        let parser = JSONParser(limits: .init(allowsDuplicateMembers: true))
        for (name, json) in try await store.definitions(.rule) {
            do {
                definitions.rules.append(try RuleDefinition(name: name, json: try parser.parse(json.get())))
            } catch {
                logger.error(
                    "A stored rule no longer validates; it is ignored.",
                    metadata: ["rule": "\(name)", "problem": "\(error)"]
                )
            }
        }
        for (name, json) in try await store.definitions(.target) {
            do {
                let target = try TargetDefinition(name: name, json: try parser.parse(json.get()), kinds: kinds)
                if let reason = target.hostConfigurationReason {
                    logger.error(
                        "A target stored through the API is host configuration; it is ignored. Move it to the rules directory.",
                        metadata: ["target": "\(name)", "problem": "\(reason)"]
                    )
                    continue
                }
                definitions.targets.append(target)
            } catch {
                logger.error(
                    "A stored target no longer validates; it is ignored.",
                    metadata: ["target": "\(name)", "problem": "\(error)"]
                )
            }
        }
        return definitions
    }
}
