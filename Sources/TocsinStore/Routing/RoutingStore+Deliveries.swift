// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
import TocsinCore
public import TocsinResponse

extension RoutingStore: DeliveryQueue {
    private static let columns = """
        id, event_seq, rule, target, input, state, attempts, routed_ms, next_ms, first_attempt_ms, last_attempt_ms,
        error_kind, error_status, error_exit, error_message, reason, redrives, replay_id, replay_key, replay_event
        """

    /// Pending deliveries to `fetch.target` due at `now`, oldest first, skipping the excluded ids, each
    /// with its event read in the same transaction (`nil` if the event is gone), and when the target's
    /// next pending delivery after `now` is due.
    ///
    /// Both queries are seeks on the (target, state, next_ms) index.
    public func due(_ fetch: DeliveryFetch, now: Int64) async throws -> DueDeliveries {
        var sql = "SELECT \(Self.columns) FROM deliveries WHERE target = ? AND state = 'pending' AND next_ms <= ?"
        var arguments: StatementArguments = [fetch.target, now]
        if !fetch.excluding.isEmpty {
            sql += " AND id NOT IN (\(fetch.excluding.map { _ in "?" }.joined(separator: ",")))"
            _ = arguments.append(contentsOf: StatementArguments(Array(fetch.excluding)))
        }
        sql += " ORDER BY next_ms, id LIMIT \(max(1, fetch.limit))"
        let query = sql
        let finalArguments = arguments
        return try await pool.read { db in
            let next = try Int64.fetchOne(
                db,
                sql: "SELECT MIN(next_ms) FROM deliveries WHERE target = ? AND state = 'pending' AND next_ms > ?",
                arguments: [fetch.target, now]
            )
            let deliveries = try Row.fetchAll(db, sql: query, arguments: finalArguments).map {
                (record: Self.record($0), carried: Self.replayedEvent($0))
            }
            guard !deliveries.isEmpty else {
                return DueDeliveries(deliveries: [], nextDueMilliseconds: next)
            }
            // A replay's delivery carries its own record (an archived event, or an alert it raised).
            let sequences = Set(deliveries.filter { $0.record.replay == nil }.map(\.record.eventSequence))
            let rows = try Row.fetchAll(
                db,
                sql:
                    "SELECT \(LogRecord.columns) FROM events WHERE seq IN (\(sequences.map { _ in "?" }.joined(separator: ",")))",
                arguments: StatementArguments(Array(sequences))
            )
            var events: [Int64: LoggedEvent] = [:]
            for row in rows {
                let record = LogRecord(row: row)
                events[record.sequence] = try? record.loggedEvent()
            }
            return DueDeliveries(
                deliveries: deliveries.map {
                    ($0.record, $0.record.replay == nil ? events[$0.record.eventSequence] : $0.carried)
                },
                nextDueMilliseconds: next
            )
        }
    }

    /// The targets that have pending deliveries (to find deliveries whose target was deleted).
    ///
    /// Skips from one target to the next on the (target, state, next_ms) index and asks each
    /// whether it has a pending row: a few seeks per target, however many deliveries wait (a
    /// `DISTINCT` over the pending rows read every one of them, each poll, while a dead target's
    /// deliveries piled up behind its open breaker).
    public func pendingTargets() async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(
                db,
                sql: """
                    WITH RECURSIVE names(name) AS (
                        SELECT (SELECT MIN(target) FROM deliveries)
                        UNION ALL
                        SELECT (SELECT MIN(target) FROM deliveries WHERE target > name) FROM names WHERE name IS NOT NULL
                    )
                    SELECT name FROM names WHERE name IS NOT NULL
                        AND EXISTS (SELECT 1 FROM deliveries WHERE target = name AND state = 'pending')
                    """
            )
        }
    }

    /// Writes attempt outcomes, all in one transaction.
    public func complete(_ updates: [DeliveryUpdate]) async throws {
        guard !updates.isEmpty else {
            return
        }
        try await pool.write { db in
            let statement = try db.cachedStatement(
                sql: """
                    UPDATE deliveries SET state = ?, attempts = ?, next_ms = ?,
                        first_attempt_ms = COALESCE(first_attempt_ms, ?), last_attempt_ms = COALESCE(?, last_attempt_ms),
                        error_kind = ?, error_status = ?, error_exit = ?, error_message = ?, reason = ?
                    WHERE id = ?
                    """
            )
            for update in updates {
                try statement.execute(arguments: [
                    update.state.rawValue, update.attempts, update.nextAttemptMilliseconds, update.attemptMilliseconds,
                    update.attemptMilliseconds, update.failure?.kind.rawValue, update.failure?.status,
                    update.failure?.exitStatus.map { Int($0) }, update.failure?.message, update.deadLetterReason,
                    update.id,
                ])
            }
        }
    }

    /// Every delivery of the event `sequence`.
    public func deliveries(event sequence: Int64) async throws -> [DeliveryRecord] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT \(Self.columns) FROM deliveries WHERE event_seq = ? ORDER BY id",
                arguments: [sequence]
            )
            .map { Self.record($0) }
        }
    }

    /// Dead-lettered deliveries matching `filter`, oldest first.
    public func deadLetters(_ filter: DeliveryFilter) async throws -> [DeliveryRecord] {
        let (clause, arguments) = Self.deadLetterClause(filter)
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT \(Self.columns) FROM deliveries WHERE \(clause) ORDER BY id LIMIT \(max(1, filter.limit))",
                arguments: arguments
            ).map { Self.record($0) }
        }
    }

    /// Puts matching dead-lettered deliveries back to pending, due now, with a fresh attempt budget.
    ///
    /// - Returns: The deliveries redriven, and the time they are now due (for the
    ///   `tocsin.dlq.redriven` event).
    public func redriveDeadLetters(
        _ filter: DeliveryFilter
    ) async throws -> (deliveries: [RedrivenDelivery], milliseconds: Int64) {
        let (clause, arguments) = Self.deadLetterClause(filter)
        let now = clock.milliseconds
        let deliveries = try await pool.write { db in
            try Self.redrive(db, clause: clause, arguments: arguments, now: now)
        }
        return (deliveries, now)
    }

    /// Puts matching dead-lettered deliveries back to pending at `now` with a fresh attempt budget.
    ///
    /// - Returns: The deliveries redriven.
    public func redrive(_ filter: DeliveryFilter, now: Int64) async throws -> [RedrivenDelivery] {
        let (clause, arguments) = Self.deadLetterClause(filter)
        return try await pool.write { db in
            try Self.redrive(db, clause: clause, arguments: arguments, now: now)
        }
    }

    private static func redrive(
        _ db: Database,
        clause: String,
        arguments: StatementArguments,
        now: Int64
    ) throws -> [RedrivenDelivery] {
        try Row.fetchAll(
            db,
            sql: """
                UPDATE deliveries SET state = 'pending', attempts = 0, next_ms = \(now), routed_ms = \(now),
                    reason = NULL, redrives = redrives + 1
                WHERE \(clause)
                RETURNING id, target, redrives
                """,
            arguments: arguments
        )
        .map { RedrivenDelivery(id: $0[0], target: $0[1], redrives: $0[2]) }
        .sorted { $0.id < $1.id }
    }

    /// Deletes matching dead-lettered deliveries.
    ///
    /// - Returns: The ids of the deliveries purged, in order.
    public func purge(_ filter: DeliveryFilter) async throws -> [Int64] {
        let (clause, arguments) = Self.deadLetterClause(filter)
        return try await pool.write { db in
            try Int64.fetchAll(db, sql: "DELETE FROM deliveries WHERE \(clause) RETURNING id", arguments: arguments)
                .sorted()
        }
    }

    /// Deletes up to `limit` finished deliveries (succeeded, or recorded in dry-run) whose last
    /// attempt (or routing, for dry runs) was before `milliseconds`.
    ///
    /// Pending and dead-lettered deliveries stay until they are delivered, redriven or purged.
    /// Every attempt is also a `tocsin.delivery.*` event in the log, which this never touches.
    ///
    /// - Returns: The ids of the deliveries deleted, in order (fewer than `limit` means none older
    ///   is left), for the `tocsin.delivery.pruned` event.
    public func pruneFinished(before milliseconds: Int64, limit: Int) async throws -> [Int64] {
        try await pool.write { db in
            try Int64.fetchAll(
                db,
                sql: """
                    DELETE FROM deliveries WHERE id IN (
                        SELECT id FROM deliveries
                        WHERE state IN (?, ?) AND COALESCE(last_attempt_ms, routed_ms) < ? LIMIT ?)
                    RETURNING id
                    """,
                arguments: [DeliveryState.succeeded.rawValue, DeliveryState.dryRun.rawValue, milliseconds, limit]
            )
            .sorted()
        }
    }

    /// Counts per state, for health and metrics.
    public func deliveryCounts() async throws -> [DeliveryState: Int] {
        try await pool.read { db in
            var counts: [DeliveryState: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM deliveries GROUP BY state") {
                if let state = DeliveryState(rawValue: row["state"]) {
                    counts[state] = row["n"]
                }
            }
            return counts
        }
    }

    /// How many deliveries are in the dead-letter queue (an index count, cheap enough for every scrape).
    public func deadLetterCount() async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(
                db,
                sql: "SELECT COUNT(*) FROM deliveries WHERE state = ?",
                arguments: [DeliveryState.deadLettered.rawValue]
            ) ?? 0
        }
    }

    private static func deadLetterClause(_ filter: DeliveryFilter) -> (String, StatementArguments) {
        var clauses = ["state = 'dead-lettered'"]
        var arguments: StatementArguments = []
        if let ids = filter.ids {
            clauses.append("id IN (\(ids.isEmpty ? "NULL" : ids.map { _ in "?" }.joined(separator: ",")))")
            _ = arguments.append(contentsOf: StatementArguments(ids))
        }
        for (column, value) in [("target", filter.target), ("rule", filter.rule)] {
            if let value {
                clauses.append("\(column) = ?")
                _ = arguments.append(contentsOf: [value])
            }
        }
        if let error = filter.error {
            clauses.append("(error_kind = ? OR reason = ?)")
            _ = arguments.append(contentsOf: [error, error])
        }
        return (clauses.joined(separator: " AND "), arguments)
    }

    /// A delivery from a row of ``columns``, read by position (by name, GRDB lower-cases every
    /// column name of every row).
    private static func record(_ row: Row) -> DeliveryRecord {
        var failure: AttemptFailure?
        if let kindText: String = row[11], let kind = AttemptFailure.Kind(rawValue: kindText) {
            failure = AttemptFailure(
                kind: kind,
                status: row[12],
                exitStatus: (row[13] as Int?).map(Int32.init),
                message: row[14] ?? ""
            )
        }
        var input: InputTransform?
        if let text: String = row[4], case .object(let object)? = try? JSONParser().parse(text),
            let member = object.members.first
        {
            input = InputTransform(member: member)
        }
        return DeliveryRecord(
            id: row[0],
            eventSequence: row[1],
            rule: row[2],
            target: row[3],
            input: input,
            state: DeliveryState(rawValue: row[5]) ?? .pending,
            attempts: row[6],
            routedMilliseconds: row[7],
            nextAttemptMilliseconds: row[8],
            firstAttemptMilliseconds: row[9],
            lastAttemptMilliseconds: row[10],
            lastFailure: failure,
            deadLetterReason: row[15],
            redrives: row[16],
            replay: (row[17] as Int64?).map { DeliveryReplay(id: $0, idempotencyKey: row[18] ?? "") }
        )
    }

    /// The record a replay's delivery carries, from a row of ``columns``; `nil` for a live delivery
    /// (its event is in the log) or a record that does not decode.
    private static func replayedEvent(_ row: Row) -> LoggedEvent? {
        guard let bytes = row[19] as Data?, let record = ArchiveRecordCoding.records(in: Array(bytes))?.first else {
            return nil
        }
        return try? record.loggedEvent()
    }
}
