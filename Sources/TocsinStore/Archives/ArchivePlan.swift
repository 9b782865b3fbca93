// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
import TocsinCore

/// The facts an archive run reads from the database, and the cut ``ArchiveCut`` decides on them.
struct ArchivePlan {
    /// The first sequence number in the live log.
    var liveFirst: Int64 = 0
    /// The chain hash before it.
    var previousHash: [UInt8] = []
    /// The last sequence number to archive, or `nil`.
    var cut: Int64?
    /// Why nothing is archived, when nothing is.
    var reason: String?

    static func make(_ db: Database, policy: RetentionPolicy, nowMilliseconds: Int64) throws -> ArchivePlan {
        var plan = ArchivePlan()
        guard
            let first = try Row.fetchOne(db, sql: "SELECT seq, prev_hash FROM events ORDER BY seq LIMIT 1")
        else {
            plan.reason = "the live log is empty"
            return plan
        }
        plan.liveFirst = first["seq"]
        plan.previousHash = Array(first["prev_hash"] as Data)
        var expiredThrough = plan.liveFirst - 1
        let rows = try Row.fetchCursor(
            db,
            sql: "SELECT seq, source, type, ingest_ms FROM events WHERE seq >= ? ORDER BY seq",
            arguments: [plan.liveFirst]
        )
        while let row = try rows.next() {
            guard
                policy.isExpired(
                    source: row["source"],
                    type: row["type"],
                    ingestMilliseconds: row["ingest_ms"],
                    nowMilliseconds: nowMilliseconds
                )
            else {
                break
            }
            expiredThrough = row["seq"]
        }
        let checkpoints = try Int64.fetchAll(
            db,
            sql: "SELECT seq FROM checkpoints WHERE seq >= ?",
            arguments: [plan.liveFirst]
        )
        let limit = try readersLimit(db)
        plan.cut = ArchiveCut.sequence(
            liveFirst: plan.liveFirst,
            expiredThrough: expiredThrough,
            checkpoints: checkpoints,
            limit: limit
        )
        if plan.cut == nil {
            plan.reason =
                expiredThrough < plan.liveFirst
                ? "no record at the start of the live log is past its retention"
                : "no signed checkpoint (followed by a later one) ends an expired range the router and deliveries are done with"
        }
        return plan
    }

    /// The last sequence number no reader still needs: the router and other cursors have read
    /// past it, and no pending or dead-lettered delivery names it.
    private static func readersLimit(_ db: Database) throws -> Int64 {
        var limit = Int64.max
        if try db.tableExists("cursors"), let cursor = try Int64.fetchOne(db, sql: "SELECT min(seq) FROM cursors") {
            limit = cursor
        }
        if try db.tableExists("deliveries"),
            let needed = try Int64.fetchOne(
                db,
                // A replay's delivery carries its own record, so it never holds the cut back.
                sql: """
                    SELECT min(event_seq) FROM deliveries
                    WHERE state IN ('pending', 'dead-lettered') AND replay_id IS NULL
                    """
            )
        {
            limit = min(limit, needed - 1)
        }
        return limit
    }
}
