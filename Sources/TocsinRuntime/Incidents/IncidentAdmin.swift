// SPDX-License-Identifier: Apache-2.0

import TocsinCore
import TocsinResponse
import TocsinServer
import TocsinStore

/// The alerts and incidents API over the read models; actions are `tocsin.incident.*` events
/// naming the acting identity, answered once the projection has applied them.
struct IncidentAdmin: IncidentAdministration {
    let store: EventStore
    let clock: @Sendable () -> Int64
    /// How long an action waits for the projection to apply it.
    var applyTimeout: Duration = .seconds(10)

    func alerts(_ filter: AlertFilter) async throws -> AlertPage {
        try await store.incidents.alerts(filter)
    }

    func alert(id: String) async throws -> AlertRecord? {
        try await store.incidents.alert(id: id)
    }

    func incidents(_ filter: IncidentFilter) async throws -> [Incident] {
        try await store.incidents.incidents(filter)
    }

    func incident(id: Int64) async throws -> IncidentDetail? {
        try await store.incidents.incident(id: id)
    }

    func act(
        _ verb: IncidentAction.Verb,
        incident id: Int64,
        actor: String,
        assignee: String?,
        note: String?
    ) async throws -> IncidentDetail {
        let action = IncidentAction(
            incident: id,
            verb: verb,
            actor: actor,
            assignee: assignee,
            note: note,
            milliseconds: clock()
        )
        // Check the read model first so that a plain mistake (closing a closed incident) appends
        // nothing; the fold decides again, in log order, which settles two actions racing.
        let current = try await store.incidents.incident(id: id)?.incident
        if case .refuse(let refusal) = Incident.apply(action, to: current) {
            throw IncidentActionError.refused(refusal)
        }
        let receipts = try await store.append([action.event(id: EventIdentifiers.random())])
        guard let sequence = receipts.first?.sequence,
            try await store.incidents.waitForProjection(through: sequence, timeout: applyTimeout),
            let outcome = try await store.incidents.action(at: sequence)
        else {
            throw IncidentActionError.notApplied
        }
        if let refusal = outcome.refusal {
            throw IncidentActionError.refused(refusal)
        }
        guard let detail = try await store.incidents.incident(id: id) else {
            throw IncidentActionError.refused(.unknownIncident)
        }
        return detail
    }
}
