// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// The rules defined through the API as they stood at a sequence number, folded from the log.
///
/// Every change through `PUT` and `DELETE /v1/rules/{name}` appends `tocsin.rule.created`,
/// `.updated` or `.deleted` (source `/tocsin/admin`) with the rule's name and, but for a deletion,
/// its definition: folding those events in sequence order up to a sequence number gives the API's
/// rules at that point. Rules-directory files and targets are not in the log with their
/// definitions; a past version uses them as they are now.
enum RuleHistory {
    /// The source of the administrative events.
    static let source = "/tocsin/admin"

    /// The definition of each rule defined through the API after every event up to and including
    /// `sequence`, by name; `events` are in sequence order (others than rule changes are ignored).
    static func fold(_ events: [LoggedEvent], through sequence: Int64) -> [String: JSONValue] {
        var rules: [String: JSONValue] = [:]
        let parser = JSONParser()
        for logged in events where logged.sequence <= sequence && logged.event.source == source {
            guard logged.event.type.hasPrefix("tocsin.rule."), case .json(let bytes)? = logged.event.data,
                let data = try? parser.parse(bytes), let name = data["name"]?.stringValue
            else {
                continue
            }
            switch logged.event.type {
            case "tocsin.rule.created", "tocsin.rule.updated":
                rules[name] = data["definition"]
            case "tocsin.rule.deleted":
                rules[name] = nil
            default:
                continue
            }
        }
        return rules
    }
}
