// SPDX-License-Identifier: Apache-2.0

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

    /// The timer service over `store`.
    ///
    /// - Throws: ``StoreError`` when the archive directory cannot be created.
    public func timer(store: EventStore, clock: any WallClock, logger: Logger) throws -> ArchiveTimer {
        ArchiveTimer(
            archiver: try store.makeArchiver(archiveDirectory: directory, policy: policy),
            clock: clock,
            interval: interval,
            logger: logger
        )
    }
}
