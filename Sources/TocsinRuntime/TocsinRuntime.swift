// SPDX-License-Identifier: Apache-2.0

public import Logging
import ServiceLifecycle
import TocsinCore
import TocsinServer
import TocsinStore
import UnixSignals

/// The composition root: turns a ``RuntimeConfiguration`` into running services.
public enum TocsinRuntime: Sendable {
    /// Runs Tocsin until SIGTERM or SIGINT, then shuts down gracefully: the HTTP server stops
    /// accepting and answers in-flight requests, then the log writer commits what is pending.
    ///
    /// - Parameters:
    ///   - configuration: The validated settings.
    ///   - logger: Where every component logs.
    ///   - onListening: Called with the bound port once the server accepts connections.
    /// - Throws: When the data directory, its keys or the database cannot be opened, or a service fails.
    public static func serve(
        _ configuration: RuntimeConfiguration,
        logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        let store = try EventStore.open(configuration.store, logger: logger)
        let keyPath = configuration.store.dataDirectory + "/" + KeyFiles.adminKeyName
        if try store.keys.bootstrapAdminKey(dataDirectory: configuration.store.dataDirectory) {
            logger.notice("Created the admin API key.", metadata: ["key.path": "\(keyPath)"])
        }
        if configuration.server.requiresAuthentication {
            logger.notice(
                "API requires a key; the admin key is in the data directory.",
                metadata: ["key.path": "\(keyPath)"]
            )
        } else {
            logger.warning(
                "AUTHENTICATION IS DISABLED (--insecure-no-auth): anyone who can reach this port can read and write events. Use only for local development."
            )
        }
        let application = TocsinHTTPServer.makeApplication(
            log: store,
            keys: store.keys,
            configuration: configuration.server,
            logger: logger,
            onServerRunning: onListening
        )
        let group = ServiceGroup(
            configuration: .init(
                services: store.services.map { .init(service: $0) } + [.init(service: application)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }
}
