// SPDX-License-Identifier: Apache-2.0

import Synchronization
import TocsinCore
import TocsinResponse
import TocsinServer

/// An incident back end in memory, driven by the same state machine as the projection, that keeps
/// the filters it was asked for so tests can check what the controller parsed.
final class MemoryIncidents: IncidentAdministration {
    struct State {
        var incidents: [Int64: Incident] = [:]
        var alerts: [AlertRecord] = []
        var history: [Int64: [IncidentActionRecord]] = [:]
        var alertFilters: [AlertFilter] = []
        var incidentFilters: [IncidentFilter] = []
        var sequence: Int64 = 0
    }

    let state = Mutex(State())

    /// Raises `alert` as the projection would fold it.
    func raise(_ alert: Alert) {
        state.withLock { state in
            state.sequence += 1
            let active = state.incidents.values.first { $0.key == alert.groupingKey && $0.status != .closed }
            var incident: Int64?
            switch Incident.receive(
                alert,
                sequence: state.sequence,
                active: active,
                nextID: Int64(state.incidents.count + 1)
            ) {
            case .recordOnly: incident = nil
            case .open(let opened), .update(let opened):
                state.incidents[opened.id] = opened
                incident = opened.id
            }
            state.alerts.append(
                AlertRecord(
                    id: "alert-\(state.sequence)",
                    sequence: state.sequence,
                    raisedMilliseconds: alert.lastEventMilliseconds,
                    incident: incident,
                    alert: alert
                )
            )
        }
    }

    var alertFilters: [AlertFilter] { state.withLock { $0.alertFilters } }
    var incidentFilters: [IncidentFilter] { state.withLock { $0.incidentFilters } }

    func alerts(_ filter: AlertFilter) async throws -> AlertPage {
        state.withLock { state in
            state.alertFilters.append(filter)
            let matching = state.alerts.filter { record in
                record.sequence > filter.after && (filter.rule == nil || record.alert.rule == filter.rule)
                    && (filter.levels.isEmpty || filter.levels.contains(record.alert.level))
                    && (filter.incident == nil || record.incident == filter.incident)
            }
            let page = Array(matching.prefix(filter.limit))
            return AlertPage(alerts: page, next: matching.count > filter.limit ? page.last?.sequence : nil)
        }
    }

    func alert(id: String) async throws -> AlertRecord? {
        state.withLock { $0.alerts.first { $0.id == id } }
    }

    func incidents(_ filter: IncidentFilter) async throws -> [Incident] {
        state.withLock { state in
            state.incidentFilters.append(filter)
            return state.incidents.values
                .filter { filter.statuses.isEmpty || filter.statuses.contains($0.status) }
                .sorted { $0.id > $1.id }
        }
    }

    func incident(id: Int64) async throws -> IncidentDetail? {
        state.withLock { Self.detail(id, $0) }
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
            milliseconds: 1_800_000_000_000
        )
        let result: Result<IncidentDetail, IncidentActionError> = state.withLock { state in
            switch Incident.apply(action, to: state.incidents[id]) {
            case .refuse(let refusal):
                return .failure(.refused(refusal))
            case .apply(let incident):
                state.sequence += 1
                state.incidents[id] = incident
                state.history[id, default: []].append(IncidentActionRecord(sequence: state.sequence, action: action))
                return Self.detail(id, state).map { .success($0) } ?? .failure(.notApplied)
            }
        }
        return try result.get()
    }

    private static func detail(_ id: Int64, _ state: State) -> IncidentDetail? {
        state.incidents[id].map { incident in
            IncidentDetail(
                incident: incident,
                alerts: state.alerts.filter { $0.incident == id }.reversed(),
                history: state.history[id] ?? []
            )
        }
    }
}
