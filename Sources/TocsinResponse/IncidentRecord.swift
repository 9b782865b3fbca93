// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// An incident of the built-in read model: events with the same key, grouped.
public struct IncidentRecord: Sendable, Hashable {
    /// The incident's number.
    public var id: Int64
    /// The grouping key taken from the events.
    public var key: String
    /// A one-line title.
    public var title: String
    /// The severity label.
    public var severity: String
    /// The rule that opened it.
    public var rule: String
    /// `open` until someone closes it.
    public var status: String
    /// When its first event arrived (milliseconds since the epoch).
    public var firstMilliseconds: Int64
    /// When its latest event arrived (milliseconds since the epoch).
    public var lastMilliseconds: Int64
    /// How many events it groups.
    public var events: Int
    /// The sequence number of its latest event.
    public var lastEventSequence: Int64

    /// Creates a record.
    public init(
        id: Int64,
        key: String,
        title: String,
        severity: String,
        rule: String,
        status: String,
        firstMilliseconds: Int64,
        lastMilliseconds: Int64,
        events: Int,
        lastEventSequence: Int64
    ) {
        self.id = id
        self.key = key
        self.title = title
        self.severity = severity
        self.rule = rule
        self.status = status
        self.firstMilliseconds = firstMilliseconds
        self.lastMilliseconds = lastMilliseconds
        self.events = events
        self.lastEventSequence = lastEventSequence
    }

    /// The incident as the API shows it.
    public var json: JSONValue {
        .object(
            JSONObject([
                .init(name: "id", value: .number(JSONNumber(id))),
                .init(name: "key", value: .string(key)),
                .init(name: "title", value: .string(title)),
                .init(name: "severity", value: .string(severity)),
                .init(name: "rule", value: .string(rule)),
                .init(name: "status", value: .string(status)),
                .init(name: "first_seen", value: .string(Timestamp(epochMilliseconds: firstMilliseconds).text)),
                .init(name: "last_seen", value: .string(Timestamp(epochMilliseconds: lastMilliseconds).text)),
                .init(name: "events", value: .number(JSONNumber(Int64(events)))),
                .init(name: "last_event", value: .number(JSONNumber(lastEventSequence))),
            ])
        )
    }
}
