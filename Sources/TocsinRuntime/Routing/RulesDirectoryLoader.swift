// SPDX-License-Identifier: Apache-2.0

import Crypto
import Logging
import Synchronization
import TocsinConfig
import TocsinCore
import TocsinSigma
import TocsinStore

/// Loads the rules directory into the routing state, and records each load or refusal in the log.
///
/// A reload is one routing change: it runs through ``RoutingState/serially(_:)``, so it never
/// overwrites an API change made at the same moment, and its event's place in the log is the place
/// where it took effect.
struct RulesDirectoryLoader: Sendable {
    /// The identity that reloads name as their actor.
    static let actor = "rules-directory"

    let directory: String
    let state: RoutingState
    let store: EventStore
    let logger: Logger
    /// The SHA-256 of each rule's text as last recorded in the log, by rule name.
    private let recorded = RecordedRuleTexts()

    init(directory: String, state: RoutingState, store: EventStore, logger: Logger) {
        self.directory = directory
        self.state = state
        self.store = store
        self.logger = logger
    }

    /// Installs the directory's definitions without recording them.
    ///
    /// Used at start-up, before the log accepts appends. Throws when the directory is invalid.
    func installInitial() async throws -> InitialLoad {
        let files = try RulesDirectory.files(at: directory)
        let loaded = ConfigDirectory(files: files, kinds: state.kinds)
        try await state.serially { [self] in try await install(loaded) }
        return InitialLoad(loaded: loaded, files: files)
    }

    /// Records the start-up load in the log.
    func recordInitial(_ initial: InitialLoad) async throws {
        try await state.serially { [self] in try await record(initial.loaded, files: initial.files) }
    }

    /// Reloads now; keeps the old rules when the new ones are invalid.
    func reload() async {
        do {
            try await state.serially { [self] in
                let files = try RulesDirectory.files(at: directory)
                let loaded = ConfigDirectory(files: files, kinds: state.kinds)
                try await install(loaded)
                try await record(loaded, files: files)
            }
        } catch let error as ConfigError {
            logger.error(
                "The rules directory is invalid; the previous rules stay in force.",
                metadata: ["problems": "\(error)"]
            )
            _ = try? await store.append([
                InternalEvents.make(
                    type: "tocsin.config.rejected",
                    source: "/tocsin/config",
                    data: [
                        ("problems", .array(error.diagnostics.map { .string($0.description) })),
                        ("actor", .string(Self.actor)),
                    ]
                )
            ])
        } catch {
            logger.error(
                "The rules directory could not be read; the previous rules stay in force.",
                metadata: ["error": "\(error)"]
            )
        }
    }

    private func install(_ loaded: ConfigDirectory) async throws {
        guard loaded.diagnostics.isEmpty else {
            throw ConfigError(loaded.diagnostics)
        }
        try await state.replaceFiles(.init(rules: loaded.rules, targets: loaded.targets, sigma: loaded.sigma))
        logger.notice(
            "Loaded the rules directory.",
            metadata: [
                "rules": "\(loaded.rules.count)", "targets": "\(loaded.targets.count)",
                "sigma.rules": "\(loaded.sigma.rules.count)",
                "sigma.correlations": "\(loaded.sigma.correlations.count)",
            ]
        )
    }

    /// Appends a `tocsin.rule.loaded` event for each rule whose text the log does not yet hold as
    /// in force (every rule at start-up, the changed ones on a reload), then `tocsin.config.reloaded`.
    ///
    /// The last `tocsin.rule.loaded` of a rule before an alert is therefore the text that raised
    /// it, which proof bundles export: the normalised definition of an event-pattern rule, or the
    /// file that holds a Sigma rule.
    private func record(_ loaded: ConfigDirectory, files: [(name: String, text: String)]) async throws {
        let texts = Self.ruleTexts(loaded, files: files)
        let changed = recorded.changed(texts)
        var events = changed.map { rule in
            InternalEvents.make(
                type: "tocsin.rule.loaded",
                source: "/tocsin/config",
                subject: rule.name,
                data: [
                    ("name", .string(rule.name)), ("file", .string(rule.file)), ("definition", rule.definition),
                    ("actor", .string(Self.actor)),
                ]
            )
        }
        events.append(
            InternalEvents.make(
                type: "tocsin.config.reloaded",
                source: "/tocsin/config",
                data: [
                    ("files", InternalEvents.number(Int64(files.count))),
                    ("rules", .array(loaded.rules.map { .string($0.name) })),
                    ("targets", .array(loaded.targets.map { .string($0.name) })),
                    ("sigma_rules", .array(loaded.sigma.rules.map { .string(DetectionTable.source(of: $0).name) })),
                    ("actor", .string(Self.actor)),
                ]
            )
        )
        _ = try await store.append(events)
        recorded.update(texts)
    }

    /// Each rule's definition as a `tocsin.rule.loaded` event records it: an event-pattern rule's
    /// normalised JSON, a Sigma rule's whole file as a string.
    private static func ruleTexts(_ loaded: ConfigDirectory, files: [(name: String, text: String)]) -> [RuleText] {
        let fileTexts = Dictionary(files.map { ($0.name, $0.text) }, uniquingKeysWith: { first, _ in first })
        let patterns = loaded.rules.map { rule in
            RuleText(name: rule.name, file: loaded.file(ofRule: rule.name) ?? "", definition: rule.json)
        }
        let sigma = loaded.sigma.rules.compactMap { rule -> RuleText? in
            guard let text = fileTexts[rule.file] else {
                return nil
            }
            return RuleText(name: DetectionTable.source(of: rule).name, file: rule.file, definition: .string(text))
        }
        return patterns + sigma
    }
}

/// What ``RulesDirectoryLoader/installInitial()`` read: the definitions and the files they came from.
struct InitialLoad: Sendable {
    /// The parsed directory.
    var loaded: ConfigDirectory
    /// Each file's path and text.
    var files: [(name: String, text: String)]
}

/// One rule's definition as the log records it.
struct RuleText: Sendable {
    var name: String
    var file: String
    var definition: JSONValue

    /// A digest of the definition, to see whether it changed.
    var sha256: [UInt8] {
        Array(SHA256.hash(data: Array(JSONWriter().string(definition).utf8)))
    }
}

/// The hash of each rule's text as last recorded, so a reload logs only the rules it changed.
private final class RecordedRuleTexts: Sendable {
    private let hashes = Mutex<[String: [UInt8]]>([:])

    func changed(_ texts: [RuleText]) -> [RuleText] {
        hashes.withLock { hashes in texts.filter { hashes[$0.name] != $0.sha256 } }
    }

    func update(_ texts: [RuleText]) {
        hashes.withLock { hashes in
            hashes = Dictionary(texts.map { ($0.name, $0.sha256) }, uniquingKeysWith: { first, _ in first })
        }
    }
}
