// SPDX-License-Identifier: Apache-2.0

import TocsinConfig
import TocsinCore
import TocsinResponse

/// How an alert of a pattern rule's detection reaches the rule's targets.
///
/// Detections are threshold, first-seen, absence and impossible travel. The router routes the alert
/// event to the rule's targets, and targets receive the
/// event that raised it with the alert attached under `alert`, so target paths written for the event
/// (`$.ocsf.src_endpoint.ip`) still work. An absence has no such event: targets receive the alert event.
enum AlertDeliveries {
    /// The kinds of alert that pattern rules raise, routed to the rule's own targets.
    static let routedKinds: Set<Alert.Kind> = [.threshold, .firstSeen, .absence, .impossibleTravel]

    /// The deliveries a logged event calls for because it is a pattern rule's alert.
    static func routes(for logged: LoggedEvent, table: RoutingTable) -> [RoutingTable.Route] {
        guard logged.event.type == Alert.eventType, let alert = try? Alert(event: logged.event),
            routedKinds.contains(alert.kind)
        else {
            return []
        }
        return table.alertRoutes(rule: alert.rule)
    }

    /// The document targets receive for `logged`: for a pattern rule's alert that carries the event
    /// that raised it, that event with the alert under `alert`; otherwise the event's match
    /// document.
    static func document(of logged: LoggedEvent) -> (document: JSONValue, isAlertTrigger: Bool) {
        guard logged.event.type == Alert.eventType, let alert = try? Alert(event: logged.event),
            case .object(var trigger)? = alert.trigger
        else {
            return (logged.matchDocument, false)
        }
        var summary = alert
        summary.trigger = nil
        trigger["alert"] = summary.json
        return (.object(trigger), true)
    }
}
