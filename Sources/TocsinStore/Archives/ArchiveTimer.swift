// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
public import Logging
public import ServiceLifecycle
public import TocsinCore

/// Runs an archive run once every ``interval`` (a day by default) while the server runs.
///
/// The server's runs do not vacuum: a vacuum would block ingestion while it rewrites the
/// database. SQLite reuses the freed pages, so the file stops growing; `tocsin archive run`
/// with the server stopped shrinks it. A failed run is logged and retried at the next tick.
public struct ArchiveTimer: Service {
    private let archiver: Archiver
    private let clock: any WallClock
    private let logger: Logger
    /// The time between two runs.
    public let interval: Duration
    /// Called after each timed run with its report or its error (the server appends its
    /// `tocsin.archive.*` events here).
    public var onRun: @Sendable (Result<Archiver.Report, any Error>) async -> Void = { _ in }

    /// Creates the timer.
    ///
    /// - Parameters:
    ///   - archiver: What each tick runs (``EventStore/makeArchiver(archiveDirectory:policy:)``).
    ///   - clock: The wall clock that paces the runs and decides what has expired.
    ///   - interval: The time between two runs. Default one day.
    ///   - logger: Where runs are logged.
    public init(archiver: Archiver, clock: any WallClock, interval: Duration = .seconds(86_400), logger: Logger) {
        self.archiver = archiver
        self.clock = clock
        self.interval = interval
        self.logger = logger
    }

    /// Runs an archive run every ``interval`` until graceful shutdown.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while (try? await clock.sleep(for: interval)) != nil {
                await onRun(attempt())
            }
        }
    }

    /// One archive run at the clock's now; returns its report, or `nil` when it failed (logged).
    @discardableResult
    public func tick() -> Archiver.Report? {
        try? attempt().get()
    }

    private func attempt() -> Result<Archiver.Report, any Error> {
        do {
            let report = try archiver.run(nowMilliseconds: clock.milliseconds, vacuums: false)
            if let archive = report.archive {
                logger.info(
                    "Archived an expired range of the log.",
                    metadata: [
                        "archive.file": "\(archive)", "archive.first": "\(report.firstSequence)",
                        "archive.last": "\(report.lastSequence)",
                    ]
                )
            } else {
                logger.debug("Nothing to archive.", metadata: ["archive.reason": "\(report.reason ?? "")"])
            }
            return .success(report)
        } catch {
            logger.error("The archive run failed; the live log is unchanged.", metadata: ["error": "\(error)"])
            return .failure(error)
        }
    }
}

extension EventStore {
    /// An archiver over this store's database, for ``ArchiveTimer``.
    ///
    /// - Parameters:
    ///   - archiveDirectory: Where archive files go; created (0700) when missing.
    ///   - policy: The retention per source and type.
    /// - Returns: The archiver, sharing the store's connection pool.
    /// - Throws: ``StoreError`` when the archive directory cannot be created or the node's public
    ///   key cannot be read.
    public func makeArchiver(archiveDirectory: String, policy: RetentionPolicy) throws -> Archiver {
        try Archiver.ensureDirectory(archiveDirectory)
        let dataDirectory = (pool.path as NSString).deletingLastPathComponent
        return Archiver(
            database: pool,
            databasePath: pool.path,
            archiveDirectory: archiveDirectory,
            policy: policy,
            publicKey: try KeyFiles.loadPublicKey(from: dataDirectory + "/" + KeyFiles.nodePublicKeyName)
        )
    }
}
