// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// An alert as the read model keeps it: the alert, where it is in the log, and its incident.
public struct AlertRecord: Sendable, Hashable {
    /// The alert event's id (`alert-…`), the alert's id in the API.
    public var id: String
    /// The alert event's sequence number in the log.
    public var sequence: Int64
    /// When the log recorded the alert (milliseconds since the epoch).
    public var raisedMilliseconds: Int64
    /// The incident it joined; `nil` for a staged rule's alert.
    public var incident: Int64?
    /// The alert.
    public var alert: Alert

    /// Creates a record.
    public init(id: String, sequence: Int64, raisedMilliseconds: Int64, incident: Int64?, alert: Alert) {
        self.id = id
        self.sequence = sequence
        self.raisedMilliseconds = raisedMilliseconds
        self.incident = incident
        self.alert = alert
    }

    /// The record as the API shows it: `id`, `seq`, `raised_at`, `incident`, then the alert's members.
    public var json: JSONValue {
        var members: [JSONObject.Member] = [
            .init(name: "id", value: .string(id)),
            .init(name: "seq", value: .number(JSONNumber(sequence))),
            .init(name: "raised_at", value: .string(Timestamp(epochMilliseconds: raisedMilliseconds).text)),
            .init(name: "incident", value: incident.map { .number(JSONNumber($0)) } ?? .null),
        ]
        if case .object(let alert) = alert.json {
            members += alert.members
        }
        return .object(JSONObject(members))
    }
}

/// An action as an incident's history shows it.
public struct IncidentActionRecord: Sendable, Hashable {
    /// The action event's sequence number in the log.
    public var sequence: Int64
    /// The action.
    public var action: IncidentAction

    /// Creates a record.
    public init(sequence: Int64, action: IncidentAction) {
        self.sequence = sequence
        self.action = action
    }

    /// `{"seq", "action", "actor", "assignee", "note", "at"}`.
    public var json: JSONValue {
        .object(
            JSONObject([
                .init(name: "seq", value: .number(JSONNumber(sequence))),
                .init(name: "action", value: .string(action.verb.pastTense)),
                .init(name: "actor", value: .string(action.actor)),
                .init(name: "assignee", value: action.assignee.map(JSONValue.string) ?? .null),
                .init(name: "note", value: action.note.map(JSONValue.string) ?? .null),
                .init(name: "at", value: .string(Timestamp(epochMilliseconds: action.milliseconds).text)),
            ])
        )
    }
}

/// One incident with its latest alerts and its history, as `GET /v1/incidents/{id}` shows it.
public struct IncidentDetail: Sendable, Hashable {
    /// The most alerts listed; `GET /v1/alerts?incident=ID` pages through all of them.
    public static let maximumAlerts = 100

    /// The incident.
    public var incident: Incident
    /// Its latest alerts, newest first (at most ``maximumAlerts``).
    public var alerts: [AlertRecord]
    /// Every action taken on it, oldest first.
    public var history: [IncidentActionRecord]

    /// Creates a detail view.
    public init(incident: Incident, alerts: [AlertRecord], history: [IncidentActionRecord]) {
        self.incident = incident
        self.alerts = alerts
        self.history = history
    }

    /// The incident's members, then `alerts` (id, seq, count, evidence, last event time) and `history`.
    public var json: JSONValue {
        guard case .object(var object) = incident.json else {
            return incident.json
        }
        let alertItems = alerts.map { record in
            JSONValue.object(
                JSONObject([
                    .init(name: "id", value: .string(record.id)),
                    .init(name: "seq", value: .number(JSONNumber(record.sequence))),
                    .init(name: "count", value: .number(JSONNumber(Int64(record.alert.count)))),
                    .init(name: "evidence", value: .array(record.alert.evidence.map { .number(JSONNumber($0)) })),
                    .init(
                        name: "last_event_time",
                        value: .string(Timestamp(epochMilliseconds: record.alert.lastEventMilliseconds).text)
                    ),
                ])
            )
        }
        object.members.append(.init(name: "alerts", value: .array(alertItems)))
        object.members.append(.init(name: "history", value: .array(history.map(\.json))))
        return .object(object)
    }
}
