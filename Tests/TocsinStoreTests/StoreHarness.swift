// SPDX-License-Identifier: Apache-2.0

import GRDB
import Logging
import ServiceLifecycle
import TocsinCore
import TocsinStore
import TocsinTesting

/// Runs a store's services around `body` in a temporary data directory.
func withRunningStore<T: Sendable>(
    directory: TemporaryDirectory? = nil,
    configure: (inout StoreConfiguration) -> Void = { _ in },
    _ body: @Sendable (EventStore, String) async throws -> T
) async throws -> T {
    let directory = try directory ?? TemporaryDirectory()
    var configuration = StoreConfiguration(dataDirectory: directory.path)
    // Checkpoints follow the record count only: a run slowed down past the interval by a loaded
    // machine would otherwise sign one more and move every later sequence number.
    configuration.checkpointInterval = .seconds(86_400)
    configure(&configuration)
    let store = try EventStore.open(configuration, logger: Logger(label: "test"), clock: SystemWallClock())
    let group = ServiceGroup(services: store.services, gracefulShutdownSignals: [], logger: Logger(label: "test"))
    async let running: Void = group.run()
    let result: Result<T, any Error>
    do {
        result = .success(try await body(store, directory.path))
    } catch {
        result = .failure(error)
    }
    await group.triggerGracefulShutdown()
    try await running
    return try result.get()
}

/// Runs `sql` on the database of the data directory at `path`, as someone with disk access would.
func tamper(_ path: String, _ sql: String) throws {
    // A store that just stopped may still be closing its connections: wait for their locks.
    var configuration = Configuration()
    configuration.busyMode = .timeout(10)
    try DatabaseQueue(path: path + "/tocsin.db", configuration: configuration).write { try $0.execute(sql: sql) }
}

/// Writes `count` events one by one, with a checkpoint every `every` records, then stops the store.
///
/// Stopping signs a final checkpoint. Checkpoints are not announced, so the log holds only these
/// events: with the defaults, records 1...10 and checkpoints at 4, 8 and 10.
func populate(
    _ directory: TemporaryDirectory,
    count: Int = 10,
    every: Int64 = 4,
    prefix: String = "t",
    witness: String? = nil
) async throws {
    try await withRunningStore(
        directory: directory,
        configure: {
            $0.checkpointEveryRecords = every
            $0.checkpointWitnessPath = witness
            $0.announcesCheckpoints = false
        }
    ) { store, _ in
        for index in 1...count {
            _ = try await store.append([EventFixtures.sshFailure(id: "\(prefix)\(index)")])
        }
    }
}

/// The error opening the store in `directory` throws, or `nil` when it opens.
func openingError(_ directory: TemporaryDirectory, witness: String? = nil) -> StoreError? {
    var configuration = StoreConfiguration(dataDirectory: directory.path)
    configuration.checkpointWitnessPath = witness
    do {
        _ = try EventStore.open(configuration, logger: Logger(label: "test"), clock: SystemWallClock())
        return nil
    } catch let error as StoreError {
        return error
    } catch {
        return StoreError(code: .refused, message: "unexpected \(type(of: error))")
    }
}
