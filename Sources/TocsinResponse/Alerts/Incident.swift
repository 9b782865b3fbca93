// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// Alerts with the same grouping key, while someone deals with them: the incident read model.
///
/// An incident opens with its first alert, counts every later alert of its key, and goes
/// `open` → `acknowledged` → `closed`; an alert for the key of a closed incident opens a new one.
/// The decisions live in `Incident+StateMachine.swift`.
public struct Incident: Sendable, Hashable {
    /// Where an incident is in its lifecycle.
    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// Nobody has looked at it yet.
        case open
        /// Someone is on it.
        case acknowledged
        /// Dealt with; a new alert of its key opens a new incident.
        case closed

        /// The statuses' names, comma-separated, for messages.
        public static var names: String {
            allCases.map(\.rawValue).joined(separator: ", ")
        }
    }

    /// The incident's number: 1, 2, 3… in the order the log opened them, so folding the log again
    /// gives every incident the same number.
    public var id: Int64
    /// The grouping key its alerts share (``Alert/groupingKey``).
    public var key: String
    /// The rule of the alert that opened it.
    public var rule: String
    /// The title of the alert that opened it.
    public var title: String
    /// The highest level of its alerts.
    public var level: Alert.Level
    /// The kind of detection of the alert that opened it.
    public var kind: Alert.Kind
    /// The group values of the alert that opened it.
    public var group: [Alert.GroupValue]
    /// Where it is in its lifecycle.
    public var status: Status
    /// Who is on it, once someone assigned it.
    public var assignee: String?
    /// The earliest event time of its alerts (milliseconds since the epoch).
    public var firstSeenMilliseconds: Int64
    /// The latest event time of its alerts (milliseconds since the epoch).
    public var lastSeenMilliseconds: Int64
    /// How many alerts it groups ("seen 42 times").
    public var alerts: Int
    /// How many events its alerts counted, added up.
    public var events: Int
    /// The log sequence number of the alert that opened it.
    public var openedSequence: Int64
    /// The log sequence number of its latest alert.
    public var lastAlertSequence: Int64

    /// Creates an incident.
    public init(
        id: Int64,
        key: String,
        rule: String,
        title: String,
        level: Alert.Level,
        kind: Alert.Kind,
        group: [Alert.GroupValue],
        status: Status,
        assignee: String?,
        firstSeenMilliseconds: Int64,
        lastSeenMilliseconds: Int64,
        alerts: Int,
        events: Int,
        openedSequence: Int64,
        lastAlertSequence: Int64
    ) {
        self.id = id
        self.key = key
        self.rule = rule
        self.title = title
        self.level = level
        self.kind = kind
        self.group = group
        self.status = status
        self.assignee = assignee
        self.firstSeenMilliseconds = firstSeenMilliseconds
        self.lastSeenMilliseconds = lastSeenMilliseconds
        self.alerts = alerts
        self.events = events
        self.openedSequence = openedSequence
        self.lastAlertSequence = lastAlertSequence
    }

    /// The incident as the API and its `tocsin.incident.opened` event show it.
    public var json: JSONValue {
        let time = { (milliseconds: Int64) in JSONValue.string(Timestamp(epochMilliseconds: milliseconds).text) }
        return .object(
            JSONObject([
                .init(name: "id", value: .number(JSONNumber(id))),
                .init(name: "key", value: .string(key)),
                .init(name: "rule", value: .string(rule)),
                .init(name: "title", value: .string(title)),
                .init(name: "level", value: .string(level.rawValue)),
                .init(name: "kind", value: .string(kind.rawValue)),
                .init(name: "group", value: Alert.json(group: group)),
                .init(name: "status", value: .string(status.rawValue)),
                .init(name: "assignee", value: assignee.map(JSONValue.string) ?? .null),
                .init(name: "first_seen", value: time(firstSeenMilliseconds)),
                .init(name: "last_seen", value: time(lastSeenMilliseconds)),
                .init(name: "alert_count", value: .number(JSONNumber(Int64(alerts)))),
                .init(name: "event_count", value: .number(JSONNumber(Int64(events)))),
                .init(name: "opened_seq", value: .number(JSONNumber(openedSequence))),
                .init(name: "last_alert_seq", value: .number(JSONNumber(lastAlertSequence))),
            ])
        )
    }

    /// The type of the event that announces a new incident.
    public static let openedEventType = "tocsin.incident.opened"
    /// The source of every incident event.
    public static let eventSource = "/tocsin/incidents"

    /// The `tocsin.incident.opened` event that announces this incident, once: rules that route it
    /// send one notification per incident instead of one per event.
    ///
    /// The id is derived from the incident's number and its opening alert, so folding the log again
    /// builds the same event and the log keeps the first copy only.
    ///
    /// - Parameter identifiers: The node's id derivation (`EventStore.identifiers`).
    /// - Returns: The event; its `time` is the opening alert's last event time.
    public func openedEvent(identifiers: some EventIdentifierDeriving) -> CloudEvent {
        CloudEvent(
            id: identifiers.derived("incident", ["opened", String(id), String(openedSequence)]),
            source: Self.eventSource,
            type: Self.openedEventType,
            dataContentType: "application/json",
            subject: String(id),
            time: Timestamp(epochMilliseconds: lastSeenMilliseconds),
            data: .json(JSONWriter().bytes(json))
        )
    }
}
