// SPDX-License-Identifier: Apache-2.0

/// The decisions of the incident model: where an alert goes, and whether an action is allowed.
///
/// Pure functions of the incident concerned and the input; the projection looks the incident up,
/// asks, and writes what the decision says. Folding the same log in the same order therefore gives
/// the same incidents with the same numbers.
extension Incident {
    /// What to do with an alert.
    public enum AlertDecision: Sendable, Hashable {
        /// A staged rule's alert: record it; it joins no incident, so nothing is announced or notified.
        case recordOnly
        /// Open this new incident and append its `tocsin.incident.opened` event.
        case open(Incident)
        /// The alert joins this incident (count and last seen updated); nothing is appended, the
        /// alert event is the record.
        case update(Incident)
    }

    /// What to do with an action.
    public enum ActionDecision: Sendable, Hashable {
        /// The action applies; the incident becomes this.
        case apply(Incident)
        /// The action does not apply; the incident is unchanged.
        case refuse(Refusal)
    }

    /// Why an action does not apply.
    public enum Refusal: String, Sendable, Hashable, CustomStringConvertible {
        /// No incident has that number.
        case unknownIncident = "unknown-incident"
        /// The incident is closed: nothing more can be done to it.
        case closed
        /// The incident is acknowledged already.
        case alreadyAcknowledged = "already-acknowledged"
        /// An assignment needs a non-empty assignee.
        case missingAssignee = "missing-assignee"

        /// What happened and what to do instead.
        public var description: String {
            switch self {
            case .unknownIncident:
                "no incident has that number; list them with GET /v1/incidents"
            case .closed:
                "the incident is closed; a new alert of its key opens a new incident"
            case .alreadyAcknowledged:
                "the incident is acknowledged already; assign or close it"
            case .missingAssignee:
                "say who to assign the incident to"
            }
        }
    }

    /// Where `alert` goes.
    ///
    /// - Parameters:
    ///   - alert: The alert just read from the log.
    ///   - sequence: Its event's sequence number.
    ///   - active: The incident of the alert's ``Alert/groupingKey`` that is not closed, if any. A
    ///     closed incident or one of another key counts as none.
    ///   - nextID: The number a new incident gets (one more than the highest so far).
    /// - Returns: ``AlertDecision/recordOnly`` for a staged alert; ``AlertDecision/update(_:)`` when
    ///   an active incident has the key; ``AlertDecision/open(_:)`` otherwise.
    public static func receive(
        _ alert: Alert,
        sequence: Int64,
        active: Incident?,
        nextID: Int64
    ) -> AlertDecision {
        if alert.isStaged {
            return .recordOnly
        }
        let key = alert.groupingKey
        guard var incident = active, incident.key == key, incident.status != .closed else {
            return .open(
                Incident(
                    id: nextID,
                    key: key,
                    rule: alert.rule,
                    title: alert.title,
                    level: alert.level,
                    kind: alert.kind,
                    group: alert.group,
                    status: .open,
                    assignee: nil,
                    firstSeenMilliseconds: alert.firstEventMilliseconds,
                    lastSeenMilliseconds: alert.lastEventMilliseconds,
                    alerts: 1,
                    events: alert.count,
                    openedSequence: sequence,
                    lastAlertSequence: sequence
                )
            )
        }
        incident.level = max(incident.level, alert.level)
        incident.firstSeenMilliseconds = min(incident.firstSeenMilliseconds, alert.firstEventMilliseconds)
        incident.lastSeenMilliseconds = max(incident.lastSeenMilliseconds, alert.lastEventMilliseconds)
        incident.alerts += 1
        incident.events += alert.count
        incident.lastAlertSequence = max(incident.lastAlertSequence, sequence)
        return .update(incident)
    }

    /// Whether `action` applies to `incident`.
    ///
    /// Acknowledge: `open` → `acknowledged`. Assign: any status but `closed`, the status unchanged.
    /// Close: `open` or `acknowledged` → `closed`. Nothing applies to a closed incident.
    ///
    /// - Parameters:
    ///   - action: The action read from the log.
    ///   - incident: The incident with the action's number, or `nil` when there is none.
    /// - Returns: ``ActionDecision/apply(_:)`` with the changed incident, or
    ///   ``ActionDecision/refuse(_:)`` with the reason.
    public static func apply(_ action: IncidentAction, to incident: Incident?) -> ActionDecision {
        guard var incident, incident.id == action.incident else {
            return .refuse(.unknownIncident)
        }
        guard incident.status != .closed else {
            return .refuse(.closed)
        }
        switch action.verb {
        case .acknowledge:
            guard incident.status == .open else {
                return .refuse(.alreadyAcknowledged)
            }
            incident.status = .acknowledged
        case .assign:
            guard let assignee = action.assignee, !assignee.isEmpty else {
                return .refuse(.missingAssignee)
            }
            incident.assignee = assignee
        case .close:
            incident.status = .closed
        }
        return .apply(incident)
    }

    /// Checks what every incident must satisfy; traps when it does not (debug and test builds only).
    ///
    /// - Precondition: a positive id, a non-empty key, first seen ≤ last seen, at least one alert
    ///   and at least as many events as alerts, opened at or before the latest alert, and an
    ///   assignee that is not empty when set.
    public func checkInvariants() {
        assert(id > 0, "incident ids start at 1")
        assert(!key.isEmpty, "an incident has a key")
        assert(firstSeenMilliseconds <= lastSeenMilliseconds, "first seen after last seen")
        assert(alerts >= 1 && events >= alerts, "an incident counts at least one alert and one event per alert")
        assert(openedSequence <= lastAlertSequence, "opened after its latest alert")
        assert(assignee.map { !$0.isEmpty } ?? true, "an empty assignee")
    }
}
