// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB

/// The read-only queries behind the web console's charts, rule and target pages and audit page.
extension EventStore {
    /// The last signed checkpoint.
    public struct CheckpointSummary: Sendable, Hashable {
        /// The sequence number it covers.
        public var sequence: Int64
        /// The chain hash at that sequence number.
        public var hash: [UInt8]
        /// When it was signed (Unix milliseconds).
        public var signedMilliseconds: Int64
    }

    /// How many events were ingested between each pair of consecutive `boundaries` (Unix
    /// milliseconds, ascending).
    ///
    /// Sequence numbers grow with ingest time, so each boundary is found by a binary search over the
    /// sequence numbers: a few dozen point reads, whatever the size of the log.
    public func ingestCounts(boundaries: [Int64]) async throws -> [Int] {
        try await pool.read { db in
            let first = try Int64.fetchOne(db, sql: "SELECT MIN(seq) FROM events") ?? 1
            let last = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM events") ?? 0
            let starts = try boundaries.map {
                try Self.firstSequence(ingestedAtOrAfter: $0, first: first, last: last, db: db)
            }
            return zip(starts, starts.dropFirst()).map { Int($1 - $0) }
        }
    }

    /// How many deliveries finished (succeeded or dead-lettered) between each pair of consecutive
    /// `boundaries`, by their last attempt; only deliveries the retention still keeps count.
    public func finishedDeliveryCounts(boundaries: [Int64]) async throws -> [Int] {
        guard let first = boundaries.first, let end = boundaries.last else {
            return []
        }
        let times = try await pool.read { db in
            try Int64.fetchAll(
                db,
                sql: """
                    SELECT last_attempt_ms FROM deliveries
                    WHERE state IN ('succeeded', 'dead-lettered') AND last_attempt_ms >= ? AND last_attempt_ms < ?
                    """,
                arguments: [first, end]
            )
        }
        var counts = Array(repeating: 0, count: max(0, boundaries.count - 1))
        for time in times {
            let bucket = boundaries.lastIndex { $0 <= time } ?? 0
            if bucket < counts.count {
                counts[bucket] += 1
            }
        }
        return counts
    }

    /// How many events each rule matched, from the live deliveries the retention still keeps (a
    /// replay's deliveries are not matches of the live rules).
    public func matchCounts() async throws -> [String: Int64] {
        try await pool.read { db in
            var counts: [String: Int64] = [:]
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT rule, COUNT(DISTINCT event_seq) FROM deliveries WHERE replay_id IS NULL GROUP BY rule"
            )
            for row in rows {
                counts[row[0]] = row[1]
            }
            return counts
        }
    }

    /// Each target's breaker state (`open` or `closed`), from the last breaker event the log holds
    /// for it; targets whose breaker never opened are not listed.
    public func breakerStates() async throws -> [String: String] {
        try await pool.read { db in
            var states: [String: String] = [:]
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT subject, type FROM events
                    WHERE type IN ('tocsin.target.circuit.opened', 'tocsin.target.circuit.closed')
                    ORDER BY seq
                    """
            )
            for row in rows {
                let target: String? = row[0]
                let type: String = row[1]
                if let target {
                    states[target] = type.hasSuffix(".opened") ? "open" : "closed"
                }
            }
            return states
        }
    }

    /// The last signed checkpoint, or `nil` when none has been signed.
    public func lastCheckpoint() async throws -> CheckpointSummary? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT seq, hash, signed_ms FROM checkpoints ORDER BY seq DESC LIMIT 1").map {
                CheckpointSummary(sequence: $0[0], hash: [UInt8]($0[1] as Data), signedMilliseconds: $0[2])
            }
        }
    }

    private static func firstSequence(
        ingestedAtOrAfter time: Int64,
        first: Int64,
        last: Int64,
        db: Database
    ) throws -> Int64 {
        var low = first
        var high = last + 1
        while low < high {
            let middle = low + (high - low) / 2
            let ingested = try Int64.fetchOne(
                db,
                sql: "SELECT ingest_ms FROM events WHERE seq = ?",
                arguments: [middle]
            )
            if let ingested, ingested < time {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }
}
