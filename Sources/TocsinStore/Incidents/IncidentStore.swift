// SPDX-License-Identifier: Apache-2.0

import GRDB
import TocsinCore
public import TocsinResponse

/// The alert and incident read models: tables folded from the log's `tocsin.alert.raised` and
/// `tocsin.incident.*` events by a persisted cursor (CQRS: the log is the write side).
///
/// ``project(limit:)`` folds the next batch; the decisions come from the pure incident state
/// machine, so folding the same log again (``rebuild()``) gives the same alerts, incidents and
/// incident numbers. One task folds at a time: the runtime's projection service, or a rebuild
/// while that service is stopped.
public final class IncidentStore: Sendable {
    let pool: DatabasePool
    /// Wakes ``waitForProjection(through:timeout:)`` when a fold moves the cursor.
    private let progress = CommitNotifier(latest: 0)

    /// The name of the projection's cursor in the `cursors` table.
    static let cursorName = "incidents"

    init(pool: DatabasePool) {
        self.pool = pool
    }

    /// An alert or action event the fold could not use; it stays in the log, the read model skips it.
    public struct Skipped: Sendable, Hashable {
        /// The event's sequence number.
        public var sequence: Int64
        /// The event's type.
        public var type: String
        /// Why: the data does not follow the schema, or the action does not apply.
        public var reason: String
    }

    /// What one fold step did.
    public struct Progress: Sendable, Hashable {
        /// The log sequence number the read models reflect now.
        public var through: Int64
        /// Alerts recorded.
        public var alerts: Int
        /// Incidents opened.
        public var opened: Int
        /// Actions applied.
        public var actions: Int
        /// Events skipped, with the reason (never a payload value).
        public var skipped: [Skipped]
        /// Whether the fold reached the head of the log.
        public var isCaughtUp: Bool
    }

    /// The log sequence number the read models reflect (0 before the first fold).
    public func projectedThrough() async throws -> Int64 {
        try await pool.read { db in try Self.cursor(db) }
    }

    /// Folds the next alert and incident events after the cursor (at most `limit` of them) into the
    /// read models and moves the cursor, in one transaction.
    ///
    /// Opened incidents are marked unannounced; the caller appends their `tocsin.incident.opened`
    /// events (``unannounced(limit:)``, ``markAnnounced(_:)``).
    public func project(limit: Int = 512) async throws -> Progress {
        let cursor = try await projectedThrough()
        let (records, through, caughtUp) = try await pool.read { db in
            try Self.nextBatch(db, after: cursor, limit: max(1, limit))
        }
        let folded = try await pool.write { db in
            guard try Self.cursor(db) == cursor else {
                throw StoreError(code: .refused, message: "another fold moved the incident projection's cursor")
            }
            var fold = Fold(db: db, through: through, caughtUp: caughtUp)
            for record in records {
                try fold.apply(record)
            }
            try db.execute(
                sql: "INSERT INTO cursors (name, seq) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET seq = excluded.seq",
                arguments: [Self.cursorName, through]
            )
            return fold.progress
        }
        progress.publish(folded.through)
        return folded
    }

    /// Waits until the read models reflect the log up to `sequence`, or `timeout` passes.
    ///
    /// - Returns: Whether they do.
    public func waitForProjection(through sequence: Int64, timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while try await projectedThrough() < sequence {
            let left = deadline - ContinuousClock.now
            guard left > .zero else {
                return false
            }
            await progress.wait(after: sequence - 1, timeout: left)
        }
        return true
    }

    /// Empties the read models and folds the whole log again, up to its head when called.
    ///
    /// Incident numbers, alerts and histories come out as they were: every decision depends only on
    /// the log's events in order. Incidents are marked unannounced; announcing them again appends
    /// nothing new, since each `tocsin.incident.opened` id is derived from the incident.
    /// Run it while the projection service is stopped.
    ///
    /// - Returns: The sum of the fold steps.
    public func rebuild() async throws -> Progress {
        try await pool.write { db in
            try db.execute(
                sql: """
                    DELETE FROM alerts;
                    DELETE FROM incidents;
                    DELETE FROM incident_actions;
                    DELETE FROM cursors WHERE name = '\(Self.cursorName)';
                    """
            )
        }
        var total = Progress(through: 0, alerts: 0, opened: 0, actions: 0, skipped: [], isCaughtUp: false)
        while !total.isCaughtUp {
            let step = try await project()
            total.through = step.through
            total.alerts += step.alerts
            total.opened += step.opened
            total.actions += step.actions
            total.skipped += step.skipped
            total.isCaughtUp = step.isCaughtUp
        }
        return total
    }

    /// Incidents whose `tocsin.incident.opened` event is not known to be in the log, lowest number first.
    public func unannounced(limit: Int = 256) async throws -> [Incident] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM incidents WHERE announced = 0 ORDER BY id LIMIT ?",
                arguments: [limit]
            )
            .map(Self.incident)
        }
    }

    /// Records that the incidents' `tocsin.incident.opened` events are in the log.
    public func markAnnounced(_ ids: [Int64]) async throws {
        try await pool.write { db in
            for id in ids {
                try db.execute(sql: "UPDATE incidents SET announced = 1 WHERE id = ?", arguments: [id])
            }
        }
    }

    // MARK: - Reading the log

    static let actionTypes = IncidentAction.Verb.allCases.map(\.eventType)

    static func cursor(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT seq FROM cursors WHERE name = ?", arguments: [cursorName]) ?? 0
    }

    /// The next alert and action events after `cursor`, in log order, and how far they cover.
    ///
    /// Each type is read along its own index range (`events_type`), and the lists merged, so a batch
    /// costs the same at any point of a long log.
    private static func nextBatch(
        _ db: Database,
        after cursor: Int64,
        limit: Int
    ) throws -> (records: [LogRecord], through: Int64, caughtUp: Bool) {
        var records: [LogRecord] = []
        var bound = Int64.max
        for type in [Alert.eventType] + actionTypes {
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT \(LogRecord.columns) FROM events WHERE type = ? AND seq > ? ORDER BY seq LIMIT ?",
                arguments: [type, cursor, limit]
            )
            if rows.count == limit, let last = rows.last {
                let sequence: Int64 = last["seq"]
                bound = min(bound, sequence)
            }
            records += rows.map(LogRecord.init(row:))
        }
        let head = try Int64.fetchOne(db, sql: "SELECT max(seq) FROM events") ?? 0
        let through = bound == .max ? max(head, cursor) : bound
        records = records.filter { $0.sequence <= through }.sorted { $0.sequence < $1.sequence }
        return (records, through, bound == .max)
    }
}

/// One fold step inside the write transaction: applies each event's decision to the tables.
struct Fold {
    let db: Database
    var progress: IncidentStore.Progress
    private var nextID: Int64?

    init(db: Database, through: Int64, caughtUp: Bool) {
        self.db = db
        self.progress = .init(through: through, alerts: 0, opened: 0, actions: 0, skipped: [], isCaughtUp: caughtUp)
    }

    mutating func apply(_ record: LogRecord) throws {
        try apply(record.loggedEvent())
    }

    /// Applies one alert or incident action event (``IncidentsProjection`` folds with it too).
    mutating func apply(_ logged: LoggedEvent) throws {
        do {
            if logged.event.type == Alert.eventType {
                try fold(Alert(event: logged.event), logged: logged)
            } else {
                try fold(IncidentAction(event: logged.event), sequence: logged.sequence)
            }
        } catch let error as AlertError {
            progress.skipped.append(
                .init(sequence: logged.sequence, type: logged.event.type, reason: error.description)
            )
        }
    }

    private mutating func fold(_ alert: Alert, logged: LoggedEvent) throws {
        // Cached statements: a fold runs these once per alert, and compiling them dominated its cost.
        let active = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM incidents WHERE key = ? AND status <> 'closed'"),
            arguments: [alert.groupingKey]
        )
        .map(IncidentStore.incident)
        let id = try nextID ?? ((Int64.fetchOne(db, sql: "SELECT max(id) FROM incidents") ?? 0) + 1)
        nextID = id
        var incident: Int64?
        switch Incident.receive(alert, sequence: logged.sequence, active: active, nextID: id) {
        case .recordOnly:
            incident = nil
        case .open(let opened):
            try IncidentStore.insert(opened, db)
            nextID = id + 1
            progress.opened += 1
            incident = opened.id
        case .update(let updated):
            try IncidentStore.update(updated, db)
            incident = updated.id
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO alerts (seq, id, rule, level, last_ms, raised_ms, incident, data)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """
        )
        .execute(
            arguments: [
                logged.sequence, logged.event.id, alert.rule, alert.level.rawValue, alert.lastEventMilliseconds,
                logged.ingestMilliseconds, incident, JSONWriter().string(alert.json),
            ]
        )
        progress.alerts += 1
    }

    private mutating func fold(_ action: IncidentAction, sequence: Int64) throws {
        let current = try Row.fetchOne(db, sql: "SELECT * FROM incidents WHERE id = ?", arguments: [action.incident])
            .map(IncidentStore.incident)
        var refusal: Incident.Refusal?
        switch Incident.apply(action, to: current) {
        case .apply(let updated):
            try IncidentStore.update(updated, db)
            progress.actions += 1
        case .refuse(let reason):
            refusal = reason
            progress.skipped.append(.init(sequence: sequence, type: action.verb.eventType, reason: reason.rawValue))
        }
        try db.execute(
            sql: """
                INSERT INTO incident_actions (seq, incident, verb, actor, assignee, note, at_ms, refusal)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                sequence, action.incident, action.verb.rawValue, action.actor, action.assignee, action.note,
                action.milliseconds, refusal?.rawValue,
            ]
        )
    }
}
