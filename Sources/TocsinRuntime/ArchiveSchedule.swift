// SPDX-License-Identifier: Apache-2.0

import Foundation
public import Logging
public import TocsinCore
public import TocsinStore

/// What `tocsin serve` archives, and where: the retention policy, the archive directory and how
/// often it runs.
public struct ArchiveSchedule: Sendable {
    /// The retention per source and type.
    public var policy: RetentionPolicy
    /// Where archive files go.
    public var directory: String
    /// The time between two runs.
    ///
    /// Default one day.
    public var interval: Duration = .seconds(86_400)

    /// Creates a schedule with the default interval.
    public init(policy: RetentionPolicy, directory: String) {
        self.policy = policy
        self.directory = directory
    }

    /// The timer service over `store`; each run that archives a range appends
    /// `tocsin.archive.completed` to the log, and each failed run `tocsin.archive.failed`.
    ///
    /// - Throws: ``StoreError`` when the archive directory cannot be created.
    public func timer(store: EventStore, clock: any WallClock, logger: Logger) throws -> ArchiveTimer {
        var timer = ArchiveTimer(
            archiver: try store.makeArchiver(archiveDirectory: directory, policy: policy),
            clock: clock,
            interval: interval,
            logger: logger
        )
        timer.onRun = { result in
            guard let event = Self.event(result, time: clock.milliseconds) else {
                return
            }
            do {
                _ = try await store.append([event])
            } catch {
                logger.warning("Could not log the archive run's event.", metadata: ["error": "\(error)"])
            }
        }
        return timer
    }

    /// The event a run leaves in the log, or `nil` when nothing was due.
    static func event(_ result: Result<Archiver.Report, any Error>, time: Int64) -> CloudEvent? {
        switch result {
        case .success(let report):
            guard let archive = report.archive else {
                return nil
            }
            return InternalEvents.make(
                type: "tocsin.archive.completed",
                source: "/tocsin/archive",
                time: time,
                data: [
                    ("archive", .string((archive as NSString).lastPathComponent)),
                    ("first_seq", InternalEvents.number(report.firstSequence)),
                    ("last_seq", InternalEvents.number(report.lastSequence)),
                    ("records", InternalEvents.number(report.records)),
                    ("bytes", InternalEvents.number(report.archiveBytes)),
                ]
            )
        case .failure(let error):
            // A store error's message names files and sequence numbers only; other errors are
            // described in the server log, not in the event.
            let store = error as? StoreError
            return InternalEvents.make(
                type: "tocsin.archive.failed",
                source: "/tocsin/archive",
                time: time,
                data: [
                    ("code", .string(store?.code.description ?? "database")),
                    ("message", .string(store?.message ?? "the database refused the run; see the server log")),
                ]
            )
        }
    }
}
