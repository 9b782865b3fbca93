// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// Someone acknowledged, assigned or closed an incident: a `tocsin.incident.acknowledged`,
/// `…assigned` or `…closed` event in the log.
public struct IncidentAction: Sendable, Hashable {
    /// What was done.
    public enum Verb: String, Sendable, Hashable, CaseIterable {
        /// Someone is on it: `open` → `acknowledged`.
        case acknowledge
        /// Someone was given it; the status does not change.
        case assign
        /// Dealt with: `open` or `acknowledged` → `closed`.
        case close

        /// The event type that records the verb.
        public var eventType: String {
            switch self {
            case .acknowledge: "tocsin.incident.acknowledged"
            case .assign: "tocsin.incident.assigned"
            case .close: "tocsin.incident.closed"
            }
        }

        /// The past tense, as the incident's history shows it.
        public var pastTense: String {
            switch self {
            case .acknowledge: "acknowledged"
            case .assign: "assigned"
            case .close: "closed"
            }
        }

        /// The verb an event type records, or `nil` for any other type.
        public init?(eventType: String) {
            guard let verb = Self.allCases.first(where: { $0.eventType == eventType }) else {
                return nil
            }
            self = verb
        }
    }

    /// The longest note kept, in UTF-8 bytes.
    public static let maximumNoteBytes = 4096
    /// The longest assignee name, in UTF-8 bytes.
    public static let maximumAssigneeBytes = 256

    /// The incident's number.
    public var incident: Int64
    /// What was done.
    public var verb: Verb
    /// The identity that did it (the API caller's name).
    public var actor: String
    /// Who was given the incident (``Verb/assign`` only).
    public var assignee: String?
    /// Why, in the actor's words.
    public var note: String?
    /// When (milliseconds since the epoch).
    public var milliseconds: Int64

    /// Creates an action.
    public init(
        incident: Int64,
        verb: Verb,
        actor: String,
        assignee: String? = nil,
        note: String? = nil,
        milliseconds: Int64
    ) {
        self.incident = incident
        self.verb = verb
        self.actor = actor
        self.assignee = assignee
        self.note = note
        self.milliseconds = milliseconds
    }

    /// The action as its event's `data`: `{"incident", "actor", "assignee"?, "note"?}`.
    public var json: JSONValue {
        var members: [JSONObject.Member] = [
            .init(name: "incident", value: .number(JSONNumber(incident))),
            .init(name: "actor", value: .string(actor)),
        ]
        if let assignee {
            members.append(.init(name: "assignee", value: .string(assignee)))
        }
        if let note {
            members.append(.init(name: "note", value: .string(note)))
        }
        return .object(JSONObject(members))
    }

    /// The event that records the action.
    ///
    /// - Parameter id: The event id; an API action is not replayed, so the caller passes a random one.
    /// - Returns: The event, from `/tocsin/incidents`, with the incident's number as its subject.
    public func event(id: String) -> CloudEvent {
        CloudEvent(
            id: id,
            source: Incident.eventSource,
            type: verb.eventType,
            dataContentType: "application/json",
            subject: String(incident),
            time: Timestamp(epochMilliseconds: milliseconds),
            data: .json(JSONWriter().bytes(json))
        )
    }

    /// Reads an action back from its event.
    ///
    /// - Throws: ``AlertError`` with code ``AlertError/Code/invalidIncidentEvent`` when the event is
    ///   not an action event, has no time, or its data does not follow the schema.
    public init(event: CloudEvent) throws(AlertError) {
        guard let verb = Verb(eventType: event.type) else {
            throw AlertError(code: .invalidIncidentEvent, path: "$.type", message: "is not an incident action")
        }
        guard let time = event.time else {
            throw AlertError(code: .invalidIncidentEvent, path: "$.time", message: "is required")
        }
        let reader = try MemberReader(
            try EventData.json(of: event, code: .invalidIncidentEvent),
            code: .invalidIncidentEvent
        )
        let assignee = try reader.optionalString("assignee")
        if verb == .assign, assignee?.isEmpty ?? true {
            throw reader.invalid("assignee", "is required to assign: a non-empty string")
        }
        self.init(
            incident: try reader.integer("incident", minimum: 1),
            verb: verb,
            actor: try reader.text("actor"),
            assignee: assignee,
            note: try reader.optionalString("note"),
            milliseconds: time.epochMilliseconds
        )
    }
}
