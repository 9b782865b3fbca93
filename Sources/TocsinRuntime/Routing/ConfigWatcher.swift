// SPDX-License-Identifier: Apache-2.0

import Foundation
import Logging
import ServiceLifecycle
import TocsinConfig
import TocsinCore
import TocsinStore
import UnixSignals

/// Loads the rules directory and reloads it on SIGHUP and when its files change.
///
/// Files are checked every two seconds. An invalid directory keeps the rules in force and logs every problem.
struct ConfigWatcher: Service {
    let directory: String
    let state: RoutingState
    let store: EventStore
    let logger: Logger
    /// SIGHUP, trapped before the service group starts so that an early signal cannot kill the process.
    let hangups: UnixSignalsSequence
    var pollInterval: Duration = .seconds(2)
    /// What ``loadInitial()`` installed, recorded in the log once the log runs.
    var initialLoad: (loaded: ConfigDirectory, fileCount: Int)? = nil

    /// Loads the directory once, before the log accepts appends.
    ///
    /// Throws when it is invalid (at start-up that is fatal). ``run()`` records this load in the log
    /// without reading the files again.
    mutating func loadInitial() async throws {
        let files = try RulesDirectory.files(at: directory)
        let loaded = ConfigDirectory(files: files, kinds: state.kinds)
        try await install(loaded)
        initialLoad = (loaded, files.count)
    }

    func run() async throws {
        var signature = RulesDirectory.signature(of: directory)
        if let (loaded, fileCount) = initialLoad {
            try await record(loaded, fileCount: fileCount)
        }
        let hangups = self.hangups
        try await withThrowingDiscardingTaskGroup { group in
            let (changes, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
            group.addTask {
                for await _ in hangups {
                    continuation.yield()
                }
            }
            // Cancelled at shutdown: the sleep must not throw, or the group would end with a
            // CancellationError, the service group would treat it as a failure and cancel the log
            // writer's final checkpoint (exit 1, nothing signed).
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: pollInterval)
                    continuation.yield()
                }
            }
            for await _ in changes.cancelOnGracefulShutdown() {
                let current = RulesDirectory.signature(of: directory)
                guard current != signature else {
                    continue
                }
                signature = current
                await reload()
            }
            group.cancelAll()
        }
    }

    /// Reloads now; keeps the old rules when the new ones are invalid.
    func reload() async {
        do {
            let files = try RulesDirectory.files(at: directory)
            let loaded = ConfigDirectory(files: files, kinds: state.kinds)
            try await install(loaded)
            try await record(loaded, fileCount: files.count)
        } catch let error as ConfigError {
            logger.error(
                "The rules directory is invalid; the previous rules stay in force.",
                metadata: ["problems": "\(error)"]
            )
            _ = try? await store.append([
                InternalEvents.make(
                    type: "tocsin.config.rejected",
                    source: "/tocsin/config",
                    data: [("problems", .array(error.diagnostics.map { .string($0.description) }))]
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
                ]
            )
        ])
    }
}
