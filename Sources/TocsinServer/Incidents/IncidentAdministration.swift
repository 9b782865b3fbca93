// SPDX-License-Identifier: Apache-2.0

public import TocsinResponse

/// What the alerts and incidents API needs from the rest of Tocsin; the runtime implements it over
/// the read models and the log.
public protocol IncidentAdministration: Sendable {
    /// One page of alerts matching `filter`, in log order.
    func alerts(_ filter: AlertFilter) async throws -> AlertPage
    /// The alert with this id, or `nil`.
    func alert(id: String) async throws -> AlertRecord?
    /// Incidents matching `filter`, most recently active first.
    func incidents(_ filter: IncidentFilter) async throws -> [Incident]
    /// The incident with its latest alerts and its history, or `nil`.
    func incident(id: Int64) async throws -> IncidentDetail?
    /// Appends the action's `tocsin.incident.*` event (naming `actor`) and returns the incident
    /// once the projection has applied it.
    ///
    /// - Throws: ``IncidentActionError/refused(_:)`` when the action does not apply to the incident
    ///   (``Incident/Refusal/unknownIncident`` when there is none); ``IncidentActionError/notApplied``
    ///   when the projection did not apply it in time.
    func act(
        _ verb: IncidentAction.Verb,
        incident: Int64,
        actor: String,
        assignee: String?,
        note: String?
    ) async throws -> IncidentDetail
}

/// Why an incident action did not go through.
public enum IncidentActionError: Error, Sendable, Hashable {
    /// The incident's state does not allow it (or there is no such incident).
    case refused(Incident.Refusal)
    /// The action is in the log, but the read model did not apply it within the wait; it applies
    /// once the projection catches up.
    case notApplied
}
