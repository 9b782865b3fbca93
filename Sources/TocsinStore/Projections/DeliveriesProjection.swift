// SPDX-License-Identifier: Apache-2.0

import GRDB
import TocsinCore

/// The deliveries and the dead-letter queue (`deliveries`), folded from the router's
/// `tocsin.delivery.routed` events, the attempt events, the redrive, purge and retention events.
///
/// - `tocsin.delivery.routed` (one per routed batch) creates the rows, dated with the event's time.
/// - `tocsin.delivery.succeeded`, `failed` and `deadlettered` set a row's state after an attempt (or
///   after giving up before one): its `attempted_at`, `due_at`, error and reason.
/// - `tocsin.dlq.redriven` puts the dead letters it names back to pending, dated with its time;
///   `tocsin.dlq.purged` and `tocsin.delivery.pruned` (retention) delete the rows they name.
/// - `tocsin.delivery.adopted` records the rows a version before these events wrote: its first
///   page replaces the whole table.
///
/// A replay's deliveries share the table but not the projection: their attempt events (with a
/// `replay` member) are skipped, and a rebuild or comparison looks only at the other rows.
///
/// The router writes its rows before it appends the routed event, and the delivery loop may
/// attempt a new delivery meanwhile: an attempt folded before its routed event inserts the row, and
/// the routed event then fills in only the routing columns.
struct DeliveriesProjection: Projection {
    static let routed = "tocsin.delivery.routed"
    static let adopted = "tocsin.delivery.adopted"
    static let pruned = "tocsin.delivery.pruned"
    static let redriven = "tocsin.dlq.redriven"
    static let purged = "tocsin.dlq.purged"
    static let attempts = [
        "tocsin.delivery.succeeded": "succeeded", "tocsin.delivery.failed": "pending",
        "tocsin.delivery.deadlettered": "dead-lettered",
    ]

    let name = "deliveries"
    let eventTypes =
        [Self.adopted, Self.routed, Self.redriven, Self.purged, Self.pruned] + Self.attempts.keys.sorted()
    let tables = ["deliveries"]
    /// A replay's deliveries (docs/replay.md) are recorded by the replay, not routed from the log.
    let ownedRows = ["deliveries": "replay_id IS NULL"]
    /// The events written after their rows (routing, redrives, deletions).
    ///
    /// An online rebuild's swap between such a row and its event would lose the row's change until
    /// the follower applies the event. The delivery loop appends an attempt's event before it writes
    /// the row, so the live rows never lag those, and applying every attempt again cost a third of
    /// the delivery throughput.
    let followedEventTypes = [Self.adopted, Self.routed, Self.redriven, Self.purged, Self.pruned]

    func apply(_ logged: LoggedEvent, to db: Database) throws {
        guard case .json(let bytes)? = logged.event.data, let data = try? JSONParser().parse(bytes),
            let time = logged.event.time?.epochMilliseconds
        else {
            return
        }
        switch logged.event.type {
        case Self.routed:
            try route(data, at: time, db: db)
        case Self.adopted:
            try adopt(data, db: db)
        case Self.redriven:
            try redrive(data, at: time, db: db)
        case Self.purged, Self.pruned:
            let ids = Self.ids(data)
            guard !ids.isEmpty else {
                return
            }
            try db.execute(
                sql: "DELETE FROM deliveries WHERE id IN (\(Self.placeholders(ids.count)))",
                arguments: StatementArguments(ids)
            )
        default:
            if let state = Self.attempts[logged.event.type] {
                try attempt(data, state: state, db: db)
            }
        }
    }

    private func route(_ data: JSONValue, at time: Int64, db: Database) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO deliveries (id, event_seq, rule, target, input, state, routed_ms, next_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET input = excluded.input, routed_ms = excluded.routed_ms
                WHERE routed_ms = 0
                """
        )
        for delivery in Self.array(data["deliveries"]) {
            guard let id = Self.integer(delivery["delivery"]), let event = Self.integer(delivery["event"]),
                let rule = delivery["rule"]?.stringValue, let target = delivery["target"]?.stringValue
            else {
                continue
            }
            let input = delivery["input"].map { JSONWriter().string($0) }
            let state = delivery["dry_run"] == JSONValue.bool(true) ? "dry-run" : "pending"
            try statement.execute(arguments: [id, event, rule, target, input, state, time, time])
        }
    }

    /// Each named dead letter back to pending with the redrive count the event gives it; a row
    /// that already has that count (or a later one) is left as it is.
    private func redrive(_ data: JSONValue, at time: Int64, db: Database) throws {
        let counts = (Self.array(data["redrives"])).compactMap { Self.integer($0) }
        let statement = try db.cachedStatement(
            sql: """
                UPDATE deliveries SET state = 'pending', attempts = 0, next_ms = ?, routed_ms = ?, reason = NULL,
                    redrives = ?
                WHERE id = ? AND redrives < ?
                """
        )
        for (id, count) in zip(Self.ids(data), counts) {
            try statement.execute(arguments: [time, time, count, id, count])
        }
    }

    private func attempt(_ data: JSONValue, state: String, db: Database) throws {
        guard data["replay"] == nil, let id = Self.integer(data["delivery"]), let event = Self.integer(data["event"]),
            let rule = data["rule"]?.stringValue, let target = data["target"]?.stringValue,
            let attempt = Self.integer(data["attempt"])
        else {
            return
        }
        let attempted = Self.milliseconds(data["attempted_at"])
        let due = Self.milliseconds(data["due_at"]) ?? Self.milliseconds(data["next_attempt_at"]) ?? 0
        let redrives = Self.integer(data["redrives"]) ?? 0
        let error = data["error"]
        let arguments: StatementArguments = [
            id, event, rule, target, state, attempted == nil ? attempt - 1 : attempt, due, attempted, attempted,
            error?["kind"]?.stringValue, Self.integer(error?["status"]), Self.integer(error?["exit_status"]),
            error?["message"]?.stringValue, data["reason"]?.stringValue, redrives,
        ]
        try db.execute(
            sql: """
                INSERT INTO deliveries (id, event_seq, rule, target, state, attempts, routed_ms, next_ms,
                    first_attempt_ms, last_attempt_ms, error_kind, error_status, error_exit, error_message, reason, redrives)
                VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET state = excluded.state, attempts = excluded.attempts,
                    next_ms = excluded.next_ms, first_attempt_ms = COALESCE(first_attempt_ms, excluded.first_attempt_ms),
                    last_attempt_ms = COALESCE(excluded.last_attempt_ms, last_attempt_ms),
                    error_kind = excluded.error_kind, error_status = excluded.error_status,
                    error_exit = excluded.error_exit, error_message = excluded.error_message, reason = excluded.reason,
                    redrives = excluded.redrives
                WHERE excluded.redrives > redrives OR (excluded.redrives = redrives AND excluded.attempts >= attempts)
                """,
            arguments: arguments
        )
    }

    private func adopt(_ data: JSONValue, db: Database) throws {
        if data["first"] == JSONValue.bool(true) {
            try db.execute(sql: "DELETE FROM deliveries")
        }
        let statement = try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO deliveries (\(Self.columns)) VALUES (\(Self.placeholders(Self.columnCount)))"
        )
        for row in Self.array(data["rows"]) {
            let values = Self.array(row)
            guard values.count == Self.columnCount else {
                continue
            }
            try statement.execute(arguments: StatementArguments(values.map(Self.databaseValue)))
        }
    }

    /// `tocsin.delivery.adopted` events for the rows stored before the log recorded deliveries (a
    /// log without any routed or adopted event, whose deliveries projection was never built), a
    /// thousand rows each.
    func unloggedRows(_ db: Database, identifiers: EventIdentifiers) throws -> [CloudEvent] {
        // Once the projection was built, or any delivery was logged, every later row has its event.
        let logged = try Bool.fetchOne(
            db,
            sql: """
                SELECT EXISTS (SELECT 1 FROM events WHERE type IN (?, ?))
                    OR EXISTS (SELECT 1 FROM cursors WHERE name = ?)
                """,
            arguments: [Self.routed, Self.adopted, cursorName]
        )
        guard logged == false else {
            return []
        }
        let rows = try Row.fetchAll(
            db,
            sql: "SELECT \(Self.columns) FROM deliveries WHERE replay_id IS NULL ORDER BY id"
        )
        let now = try Int64.fetchOne(db, sql: "SELECT max(routed_ms) FROM deliveries") ?? 0
        return stride(from: 0, to: rows.count, by: 1000).map { start in
            let page = rows[start..<min(start + 1000, rows.count)]
            let values = page.map { row in
                JSONValue.array((0..<Self.columnCount).map { Self.jsonValue(row[$0] as DatabaseValue) })
            }
            let data = JSONValue.object(
                JSONObject([
                    .init(name: "first", value: .bool(start == 0)),
                    .init(name: "rows", value: .array(values)),
                ])
            )
            return CloudEvent(
                id: identifiers.derived("delivery", ["adopted", String(page.first?[0] as Int64? ?? 0)]),
                source: "/tocsin/router",
                type: Self.adopted,
                dataContentType: "application/json",
                time: Timestamp(epochMilliseconds: now),
                data: .json(JSONWriter().bytes(data))
            )
        }
    }

    // MARK: - Values

    static let columns = """
        id, event_seq, rule, target, input, state, attempts, routed_ms, next_ms, first_attempt_ms, last_attempt_ms, \
        error_kind, error_status, error_exit, error_message, reason, redrives
        """
    static let columnCount = 17

    private static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ",")
    }

    private static func ids(_ data: JSONValue) -> [Int64] {
        (Self.array(data["deliveries"])).compactMap { integer($0) }
    }

    private static func array(_ value: JSONValue?) -> [JSONValue] {
        guard case .array(let values)? = value else {
            return []
        }
        return values
    }

    private static func integer(_ value: JSONValue?) -> Int64? {
        guard case .number(let number)? = value else {
            return nil
        }
        return Int64(number.text)
    }

    private static func milliseconds(_ value: JSONValue?) -> Int64? {
        value?.stringValue.flatMap { Timestamp(rfc3339: $0) }?.epochMilliseconds
    }

    private static func jsonValue(_ value: DatabaseValue) -> JSONValue {
        switch value.storage {
        case .int64(let number): .number(JSONNumber(number))
        case .string(let text): .string(text)
        case .null, .double, .blob: .null
        }
    }

    private static func databaseValue(_ value: JSONValue) -> DatabaseValue {
        switch value {
        case .number(let number): Int64(number.text).databaseValue
        case .string(let text): text.databaseValue
        default: .null
        }
    }
}
