// SPDX-License-Identifier: Apache-2.0

import GRDB
import TocsinCore
import TocsinResponse

/// Rows of the read-model tables and the values they hold.
extension IncidentStore {
    static func insert(_ incident: Incident, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO incidents (id, key, rule, title, level, kind, group_json, status, assignee, first_ms,
                    last_ms, alerts, events, opened_seq, last_alert_seq, announced)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
                """
        )
        .execute(
            arguments: [
                incident.id, incident.key, incident.rule, incident.title, incident.level.rawValue,
                incident.kind.rawValue, groupText(incident.group), incident.status.rawValue, incident.assignee,
                incident.firstSeenMilliseconds, incident.lastSeenMilliseconds, incident.alerts, incident.events,
                incident.openedSequence, incident.lastAlertSequence,
            ]
        )
    }

    /// Writes what an alert or an action can change; the incident's identity and opening stay.
    static func update(_ incident: Incident, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                UPDATE incidents SET level = ?, status = ?, assignee = ?, first_ms = ?, last_ms = ?, alerts = ?,
                    events = ?, last_alert_seq = ?
                WHERE id = ?
                """
        )
        .execute(
            arguments: [
                incident.level.rawValue, incident.status.rawValue, incident.assignee, incident.firstSeenMilliseconds,
                incident.lastSeenMilliseconds, incident.alerts, incident.events, incident.lastAlertSequence,
                incident.id,
            ]
        )
    }

    static func incident(_ row: Row) throws -> Incident {
        let level: String = row["level"]
        let kind: String = row["kind"]
        let status: String = row["status"]
        guard let level = Alert.Level(rawValue: level), let kind = Alert.Kind(rawValue: kind),
            let status = Incident.Status(rawValue: status)
        else {
            throw StoreError(
                code: .corruptRecord,
                message: "incident \(row["id"] as Int64) has an unknown level, kind or status; rebuild the read model"
            )
        }
        return Incident(
            id: row["id"],
            key: row["key"],
            rule: row["rule"],
            title: row["title"],
            level: level,
            kind: kind,
            group: try group(row["group_json"]),
            status: status,
            assignee: row["assignee"],
            firstSeenMilliseconds: row["first_ms"],
            lastSeenMilliseconds: row["last_ms"],
            alerts: row["alerts"],
            events: row["events"],
            openedSequence: row["opened_seq"],
            lastAlertSequence: row["last_alert_seq"]
        )
    }

    static func alertRecord(_ row: Row) throws -> AlertRecord {
        let text: String = row["data"]
        let alert: Alert
        do {
            alert = try Alert(json: try JSONParser().parse(text))
        } catch {
            throw StoreError(
                code: .corruptRecord,
                message: "the alert at sequence \(row["seq"] as Int64) cannot be read back; rebuild the read model",
                sequence: row["seq"]
            )
        }
        return AlertRecord(
            id: row["id"],
            sequence: row["seq"],
            raisedMilliseconds: row["raised_ms"],
            incident: row["incident"],
            alert: alert
        )
    }

    static func actionRecord(_ row: Row) throws -> IncidentActionRecord {
        let verb: String = row["verb"]
        guard let verb = IncidentAction.Verb(rawValue: verb) else {
            throw StoreError(
                code: .corruptRecord,
                message: "the incident action at sequence \(row["seq"] as Int64) has an unknown verb",
                sequence: row["seq"]
            )
        }
        return IncidentActionRecord(
            sequence: row["seq"],
            action: IncidentAction(
                incident: row["incident"],
                verb: verb,
                actor: row["actor"],
                assignee: row["assignee"],
                note: row["note"],
                milliseconds: row["at_ms"]
            )
        )
    }

    private static func groupText(_ group: [Alert.GroupValue]) -> String {
        JSONWriter().string(Alert.json(group: group))
    }

    private static func group(_ text: String) throws -> [Alert.GroupValue] {
        guard case .array(let items) = try JSONParser().parse(text) else {
            return []
        }
        return items.compactMap { item in
            guard case .string(let field)? = item["field"], let value = item["value"] else {
                return nil
            }
            return Alert.GroupValue(field: field, value: value)
        }
    }
}
