// SPDX-License-Identifier: Apache-2.0

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
    configure(&configuration)
    let store = try EventStore.open(configuration, logger: Logger(label: "test"))
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
