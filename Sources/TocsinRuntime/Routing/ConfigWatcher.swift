// SPDX-License-Identifier: Apache-2.0

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
    let loader: RulesDirectoryLoader
    /// SIGHUP, trapped before the service group starts so that an early signal cannot kill the process.
    let hangups: UnixSignalsSequence
    var pollInterval: Duration = .seconds(2)
    /// What ``loadInitial()`` installed, recorded in the log once the log runs.
    var initialLoad: InitialLoad? = nil

    init(directory: String, state: RoutingState, store: EventStore, logger: Logger, hangups: UnixSignalsSequence) {
        loader = RulesDirectoryLoader(directory: directory, state: state, store: store, logger: logger)
        self.hangups = hangups
    }

    /// Loads the directory once, before the log accepts appends.
    ///
    /// Throws when it is invalid (at start-up that is fatal). ``run()`` records this load in the log
    /// without reading the files again.
    mutating func loadInitial() async throws {
        initialLoad = try await loader.installInitial()
    }

    func run() async throws {
        let directory = loader.directory
        var signature = RulesDirectory.signature(of: directory)
        if let initialLoad {
            try await loader.recordInitial(initialLoad)
        }
        let hangups = self.hangups
        let pollInterval = self.pollInterval
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
                await loader.reload()
            }
            group.cancelAll()
        }
    }
}
