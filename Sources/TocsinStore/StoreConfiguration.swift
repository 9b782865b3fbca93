// SPDX-License-Identifier: Apache-2.0

/// Settings of the embedded SQLite store.
public struct StoreConfiguration: Sendable {
    /// How durable a commit is before it is acknowledged (SQLite `PRAGMA synchronous`).
    public enum Synchronous: String, Sendable {
        /// fsync the WAL on every commit: an acknowledged event survives power loss. The default.
        case full = "FULL"
        /// fsync at checkpoints only: survives a process crash, may lose the last commits on power loss.
        case normal = "NORMAL"
    }

    /// The data directory holding `tocsin.db`, `node.key`, `node.pub` and `admin.key`.
    public var dataDirectory: String
    /// Durability of commits.
    ///
    /// Default ``Synchronous/full``.
    public var synchronous: Synchronous = .full
    /// Sign a checkpoint after this many new records.
    ///
    /// Default 10,000.
    public var checkpointEveryRecords: Int64 = 10_000
    /// Sign a checkpoint at least this often while records arrive.
    ///
    /// Default 60 s.
    public var checkpointInterval: Duration = .seconds(60)
    /// Append a `tocsin.checkpoint.signed` event after each signed checkpoint.
    ///
    /// Rules can then send checkpoints to any target. `tocsin serve` always does.
    ///
    /// Default `true`.
    public var announcesCheckpoints = true
    /// The most events one group commit writes.
    ///
    /// Default 4,096.
    public var maxEventsPerCommit: Int = 4096
    /// The most events waiting for the writer before appends are refused as overloaded.
    ///
    /// Default 100,000.
    public var maxPendingEvents: Int = 100_000
    /// A file outside the data directory that receives every signed checkpoint as a JSON line
    /// (see ``CheckpointWitness``); `nil` for none.
    ///
    /// Default `nil`.
    public var checkpointWitnessPath: String?

    /// Creates a configuration for `dataDirectory` with the documented defaults.
    public init(dataDirectory: String) {
        self.dataDirectory = dataDirectory
    }

    /// Path of the SQLite database.
    public var databasePath: String {
        dataDirectory + "/tocsin.db"
    }
}
