// SPDX-License-Identifier: Apache-2.0

import Logging
import TocsinConfig
import TocsinCore
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

    /// Installs the directory's definitions without recording them.
    ///
    /// Used at start-up, before the log accepts appends. Throws when the directory is invalid.
    func installInitial() async throws -> (loaded: ConfigDirectory, fileCount: Int) {
        let files = try RulesDirectory.files(at: directory)
        let loaded = ConfigDirectory(files: files, kinds: state.kinds)
        try await state.serially { [self] in try await install(loaded) }
        return (loaded, files.count)
    }

    /// Records the start-up load in the log.
    func recordInitial(_ initial: (loaded: ConfigDirectory, fileCount: Int)) async throws {
        try await state.serially { [self] in try await record(initial.loaded, fileCount: initial.fileCount) }
    }

    /// Reloads now; keeps the old rules when the new ones are invalid.
    func reload() async {
        do {
            try await state.serially { [self] in
                let files = try RulesDirectory.files(at: directory)
                let loaded = ConfigDirectory(files: files, kinds: state.kinds)
                try await install(loaded)
                try await record(loaded, fileCount: files.count)
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

    private func record(_ loaded: ConfigDirectory, fileCount: Int) async throws {
        _ = try await store.append([
            InternalEvents.make(
                type: "tocsin.config.reloaded",
                source: "/tocsin/config",
                data: [
                    ("files", InternalEvents.number(Int64(fileCount))),
                    ("rules", .array(loaded.rules.map { .string($0.name) })),
                    ("targets", .array(loaded.targets.map { .string($0.name) })),
                    ("sigma_rules", .array(loaded.sigma.rules.map { .string(DetectionTable.source(of: $0).name) })),
                    ("actor", .string(Self.actor)),
                ]
            )
        ])
    }
}
