// SPDX-License-Identifier: Apache-2.0

import GRDB

extension EventStore {
    /// The replays and their progress.
    public var replays: ReplayStore {
        ReplayStore(pool: pool)
    }

    /// The first sequence number whose ingest time is at or after `time` (milliseconds since the
    /// epoch), or `nil` when every event is older.
    ///
    /// Sequence numbers follow ingest order, so a time range is a range of sequence numbers.
    public func firstSequence(ingestedAtOrAfter time: Int64) async throws -> Int64? {
        try await pool.read { db in
            try Int64.fetchOne(
                db,
                sql: "SELECT seq FROM events WHERE ingest_ms >= ? ORDER BY seq LIMIT 1",
                arguments: [time]
            )
        }
    }
}
