// SPDX-License-Identifier: Apache-2.0

import GRDB
import TocsinCore
import TocsinResponse

/// Alerts, incidents and their action history, folded from `tocsin.alert.raised` and
/// `tocsin.incident.*` by the pure incident state machine (``Incident``).
///
/// The live tables are followed by the runtime's incident projection service under the cursor
/// `incidents`, so the generic follower leaves them alone. An incident counts as announced once its
/// `tocsin.incident.opened` event is in the log, which is what the outbox flag records live.
struct IncidentsProjection: Projection {
    let name = "incidents"
    let eventTypes = [Alert.eventType, Incident.openedEventType] + IncidentStore.actionTypes
    let tables = ["incidents", "alerts", "incident_actions"]
    let cursorName = IncidentStore.cursorName
    let isFollowedGenerically = false

    func apply(_ logged: LoggedEvent, to db: Database) throws {
        if logged.event.type == Incident.openedEventType {
            guard let id = logged.event.subject.flatMap(Int64.init) else {
                return
            }
            try db.execute(sql: "UPDATE incidents SET announced = 1 WHERE id = ?", arguments: [id])
            return
        }
        var fold = Fold(db: db, through: logged.sequence, caughtUp: false)
        try fold.apply(logged)
    }
}
