// SPDX-License-Identifier: Apache-2.0

import TocsinConfig
import TocsinCore
import TocsinResponse

/// How an alert of a threshold rule reaches the rule's targets: the router routes the alert event
/// to them, and targets receive the event that crossed the threshold with the alert attached under
/// `alert`, so target paths written for the event (`$.ocsf.src_endpoint.ip`) still work.
enum AlertDeliveries {
    /// The deliveries a logged event calls for because it is a threshold rule's alert.
    static func routes(for logged: LoggedEvent, table: RoutingTable) -> [RoutingTable.Route] {
        guard logged.event.type == Alert.eventType, let alert = try? Alert(event: logged.event),
            alert.kind == .threshold
        else {
            return []
        }
        return table.alertRoutes(rule: alert.rule)
    }

    /// The document targets receive for `logged`: for a threshold alert that carries the event that
    /// crossed the threshold, that event with the alert under `alert`; otherwise the event's match
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
