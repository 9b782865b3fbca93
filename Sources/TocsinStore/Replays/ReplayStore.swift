// SPDX-License-Identifier: Apache-2.0

import GRDB

/// Replays in the store: created when accepted, moved forward batch by batch, closed with their
/// report; the unfinished ones are found again after a restart.
///
/// Times are parameters: the runtime passes its injected clock's reading.
public struct ReplayStore: Sendable {
    private let pool: DatabasePool

    init(pool: DatabasePool) {
        self.pool = pool
    }

    private static let columns = """
        id, request, actor, first_seq, last_seq, status, processed, cursor, restarts, report, error,
        created_ms, updated_ms, completed_ms
        """

    /// Stores a new running replay of `first...last`; returns it with its id.
    public func create(
        request: String,
        actor: String,
        first: Int64,
        last: Int64,
        now: Int64
    ) async throws -> ReplayRecord {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO replays (request, actor, first_seq, last_seq, status, cursor, created_ms, updated_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [request, actor, first, last, ReplayRecord.Status.running.rawValue, first - 1, now, now]
            )
            return ReplayRecord(
                id: db.lastInsertedRowID,
                request: request,
                actor: actor,
                firstSequence: first,
                lastSequence: last,
                status: .running,
                processed: 0,
                cursor: first - 1,
                restarts: 0,
                report: nil,
                error: nil,
                createdMilliseconds: now,
                updatedMilliseconds: now,
                completedMilliseconds: nil
            )
        }
    }

    /// The replay with this id, or `nil`.
    public func replay(id: Int64) async throws -> ReplayRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM replays WHERE id = ?", arguments: [id])
                .map(Self.record(row:))
        }
    }

    /// The most recent replays first, at most `limit`.
    public func list(limit: Int) async throws -> [ReplayRecord] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT \(Self.columns) FROM replays ORDER BY id DESC LIMIT ?",
                arguments: [limit]
            ).map(Self.record(row:))
        }
    }

    /// The replays not yet finished, oldest first.
    public func unfinished() async throws -> [ReplayRecord] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT \(Self.columns) FROM replays WHERE status = ? ORDER BY id",
                arguments: [ReplayRecord.Status.running.rawValue]
            ).map(Self.record(row:))
        }
    }

    /// Starts the run of an unfinished replay again from its first sequence number, counting the
    /// interruption when `interrupted` (a restart found it half done).
    public func restart(id: Int64, interrupted: Bool, now: Int64) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE replays SET processed = 0, cursor = first_seq - 1, restarts = restarts + ?, updated_ms = ?
                    WHERE id = ? AND status = ?
                    """,
                arguments: [interrupted ? 1 : 0, now, id, ReplayRecord.Status.running.rawValue]
            )
        }
    }

    /// Records that the current run read `processed` events, through `cursor`.
    public func progress(id: Int64, processed: Int64, cursor: Int64, now: Int64) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE replays SET processed = ?, cursor = ?, updated_ms = ? WHERE id = ?",
                arguments: [processed, cursor, now, id]
            )
        }
    }

    /// Closes a replay with its report (`completed`) or the reason it stopped (`failed`).
    public func finish(
        id: Int64,
        status: ReplayRecord.Status,
        report: String?,
        error: String?,
        now: Int64
    ) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE replays SET status = ?, report = ?, error = ?, updated_ms = ?, completed_ms = ?
                    WHERE id = ?
                    """,
                arguments: [status.rawValue, report, error, now, now, id]
            )
        }
    }

    private static func record(row: Row) -> ReplayRecord {
        ReplayRecord(
            id: row["id"],
            request: row["request"],
            actor: row["actor"],
            firstSequence: row["first_seq"],
            lastSequence: row["last_seq"],
            status: ReplayRecord.Status(rawValue: row["status"]) ?? .failed,
            processed: row["processed"],
            cursor: row["cursor"],
            restarts: row["restarts"],
            report: row["report"],
            error: row["error"],
            createdMilliseconds: row["created_ms"],
            updatedMilliseconds: row["updated_ms"],
            completedMilliseconds: row["completed_ms"]
        )
    }
}
