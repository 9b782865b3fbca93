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

    /// Reads every `*.yaml` / `*.yml` file of `directory`, sorted by name.
    static func readFiles(_ directory: String) throws -> [(name: String, text: String)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
            .sorted()
        return try names.map { name in
            let path = directory + "/" + name
            return (path, try String(contentsOfFile: path, encoding: .utf8))
        }
    }

    /// Loads the directory once, before the log accepts appends.
    ///
    /// Throws when it is invalid (at start-up that is fatal). ``run()`` records the load in the log.
    func loadInitial() async throws {
        let files = try Self.readFiles(directory)
        try await apply(ConfigDirectory(files: files), fileCount: files.count, record: false)
    }

    func run() async throws {
        var signature = Self.signature(directory)
        await reload()
        let hangups = self.hangups
        try await withThrowingDiscardingTaskGroup { group in
            let (changes, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
            group.addTask {
                for await _ in hangups {
                    continuation.yield()
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: pollInterval)
                    continuation.yield()
                }
            }
            for await _ in changes.cancelOnGracefulShutdown() {
                let current = Self.signature(directory)
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
            let files = try Self.readFiles(directory)
            try await apply(ConfigDirectory(files: files), fileCount: files.count, record: true)
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

    private func apply(_ loaded: ConfigDirectory, fileCount: Int, record: Bool) async throws {
        guard loaded.diagnostics.isEmpty else {
            throw ConfigError(loaded.diagnostics)
        }
        try await state.replaceFiles(.init(rules: loaded.rules, targets: loaded.targets))
        logger.notice(
            "Loaded the rules directory.",
            metadata: ["rules": "\(loaded.rules.count)", "targets": "\(loaded.targets.count)"]
        )
        guard record else {
            return
        }
        _ = try await store.append([
            InternalEvents.make(
                type: "tocsin.config.reloaded",
                source: "/tocsin/config",
                data: [
                    ("files", InternalEvents.number(Int64(fileCount))),
                    ("rules", .array(loaded.rules.map { .string($0.name) })),
                    ("targets", .array(loaded.targets.map { .string($0.name) })),
                ]
            )
        ])
    }

    /// Names, sizes and modification times of the YAML files: what a change changes.
    static func signature(_ directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { name in
            let attributes = try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)
            let size = (attributes?[.size] as? NSNumber)?.int64Value ?? -1
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(name):\(size):\(modified)"
        }
    }
}
