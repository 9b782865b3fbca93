// SPDX-License-Identifier: Apache-2.0

import GRDB
import TocsinCore
public import TocsinResponse

/// Reading the alert and incident read models (the API's queries).
extension IncidentStore {
    /// One page of alerts matching `filter`, in log order.
    public func alerts(_ filter: AlertFilter) async throws -> AlertPage {
        var clauses = ["seq > ?"]
        var arguments: StatementArguments = [filter.after]
        if let rule = filter.rule {
            clauses.append("rule = ?")
            _ = arguments.append(contentsOf: [rule])
        }
        if !filter.levels.isEmpty {
            let levels = filter.levels.map(\.rawValue).sorted()
            clauses.append("level IN (\(levels.map { _ in "?" }.joined(separator: ", ")))")
            _ = arguments.append(contentsOf: StatementArguments(levels))
        }
        if let since = filter.since {
            clauses.append("last_ms >= ?")
            _ = arguments.append(contentsOf: [since])
        }
        if let until = filter.until {
            clauses.append("last_ms < ?")
            _ = arguments.append(contentsOf: [until])
        }
        if let incident = filter.incident {
            clauses.append("incident = ?")
            _ = arguments.append(contentsOf: [incident])
        }
        let limit = max(1, filter.limit)
        _ = arguments.append(contentsOf: [limit + 1])
        let sql = "SELECT * FROM alerts WHERE \(clauses.joined(separator: " AND ")) ORDER BY seq LIMIT ?"
        let finalArguments = arguments
        let records = try await pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: finalArguments).map(Self.alertRecord)
        }
        let page = Array(records.prefix(limit))
        return AlertPage(alerts: page, next: records.count > limit ? page.last?.sequence : nil)
    }

    /// The alert whose event id is `id`, or `nil`.
    public func alert(id: String) async throws -> AlertRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM alerts WHERE id = ?", arguments: [id]).map(Self.alertRecord)
        }
    }

    /// Incidents matching `filter`, most recently active first.
    public func incidents(_ filter: IncidentFilter) async throws -> [Incident] {
        var clauses = ["1"]
        var arguments: StatementArguments = []
        if !filter.statuses.isEmpty {
            let statuses = filter.statuses.map(\.rawValue).sorted()
            clauses.append("status IN (\(statuses.map { _ in "?" }.joined(separator: ", ")))")
            _ = arguments.append(contentsOf: StatementArguments(statuses))
        }
        if let rule = filter.rule {
            clauses.append("rule = ?")
            _ = arguments.append(contentsOf: [rule])
        }
        if let assignee = filter.assignee {
            clauses.append("assignee = ?")
            _ = arguments.append(contentsOf: [assignee])
        }
        _ = arguments.append(contentsOf: [max(1, filter.limit)])
        let sql = """
            SELECT * FROM incidents WHERE \(clauses.joined(separator: " AND "))
            ORDER BY last_ms DESC, id DESC LIMIT ?
            """
        let finalArguments = arguments
        return try await pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: finalArguments).map(Self.incident)
        }
    }

    /// The incident numbered `id` with its latest alerts and its history, or `nil`.
    public func incident(id: Int64) async throws -> IncidentDetail? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM incidents WHERE id = ?", arguments: [id]) else {
                return nil
            }
            let alerts = try Row.fetchAll(
                db,
                sql: "SELECT * FROM alerts WHERE incident = ? ORDER BY seq DESC LIMIT ?",
                arguments: [id, IncidentDetail.maximumAlerts]
            )
            let history = try Row.fetchAll(
                db,
                sql: "SELECT * FROM incident_actions WHERE incident = ? AND refusal IS NULL ORDER BY seq",
                arguments: [id]
            )
            return IncidentDetail(
                incident: try Self.incident(row),
                alerts: try alerts.map(Self.alertRecord),
                history: try history.map(Self.actionRecord)
            )
        }
    }

    /// How the fold took the action event at `sequence`: the action and, when it did not apply, why;
    /// `nil` until the projection has folded that event (or when it is not an action).
    public func action(at sequence: Int64) async throws -> (record: IncidentActionRecord, refusal: Incident.Refusal?)? {
        try await pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT * FROM incident_actions WHERE seq = ?",
                    arguments: [sequence]
                )
            else {
                return nil
            }
            let refusal: String? = row["refusal"]
            return (try Self.actionRecord(row), refusal.flatMap(Incident.Refusal.init(rawValue:)))
        }
    }

    // MARK: - Incidents from before the alert model

    /// One alert per incident the `incident` target recorded before alerts existed (outside the
    /// log), so that raising them puts those incidents into the log and the read model; empty when
    /// there are none.
    public func legacyIncidentAlerts() async throws -> [Alert] {
        try await pool.read { db in
            guard try db.tableExists("incidents_legacy") else {
                return []
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM incidents_legacy ORDER BY id").map { row in
                let key: String = row["key"]
                let severity: String = row["severity"]
                let lastEvent: Int64 = row["last_event_seq"]
                let events: Int = row["events"]
                return Alert(
                    rule: row["rule"],
                    title: row["title"],
                    level: Alert.Level(rawValue: severity) ?? .high,
                    kind: .pattern,
                    evidence: lastEvent > 0 ? [lastEvent] : [],
                    group: [Alert.GroupValue(field: "key", value: .string(key))],
                    count: max(1, events),
                    firstEventMilliseconds: row["first_ms"],
                    lastEventMilliseconds: row["last_ms"],
                    incidentKey: key,
                    identity: "legacy-incident/\(row["id"] as Int64)"
                )
            }
        }
    }

    /// Drops the table of incidents from before the alert model, once their alerts are in the log.
    public func dropLegacyIncidents() async throws {
        try await pool.write { db in
            try db.execute(sql: "DROP TABLE IF EXISTS incidents_legacy")
        }
    }
}
