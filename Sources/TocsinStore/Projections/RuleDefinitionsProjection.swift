// SPDX-License-Identifier: Apache-2.0

import GRDB
import TocsinCore

/// The rules defined through the API (the `rule` rows of `definitions`), folded from
/// `tocsin.rule.created`, `tocsin.rule.updated` and `tocsin.rule.deleted`.
///
/// The event records the rule in its normalised form and the store keeps that form, dated with the
/// event's time. Target rows are the `targets` projection's (``TargetDefinitionsProjection``). Rules
/// from the rules directory are not stored at all.
struct RuleDefinitionsProjection: Projection {
    static let types = ["tocsin.rule.created", "tocsin.rule.updated", "tocsin.rule.deleted"]

    let name = "rules"
    let eventTypes = Self.types
    let tables = ["definitions"]
    let ownedRows = ["definitions": "kind = 'rule'"]

    func apply(_ logged: LoggedEvent, to db: Database) throws {
        guard case .json(let bytes)? = logged.event.data, let data = try? JSONParser().parse(bytes),
            let name = data["name"]?.stringValue
        else {
            return
        }
        if logged.event.type == "tocsin.rule.deleted" {
            try db.execute(sql: "DELETE FROM definitions WHERE kind = 'rule' AND name = ?", arguments: [name])
            return
        }
        guard let definition = data["definition"], let time = logged.event.time else {
            return
        }
        try db.execute(
            sql: "INSERT OR REPLACE INTO definitions (kind, name, json, updated_ms) VALUES ('rule', ?, ?, ?)",
            arguments: [name, JSONWriter().string(definition), time.epochMilliseconds]
        )
    }

    /// A `tocsin.rule.updated` event for each stored rule that no rule event names.
    func unloggedRows(_ db: Database, identifiers: EventIdentifiers) throws -> [CloudEvent] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT name, json, updated_ms FROM definitions WHERE kind = 'rule'
                AND name NOT IN (SELECT subject FROM events WHERE type IN (?, ?) AND subject IS NOT NULL)
                ORDER BY updated_ms, name
                """,
            arguments: [Self.types[0], Self.types[1]]
        )
        return rows.compactMap { row in
            let name: String = row["name"]
            let text: String = row["json"]
            let milliseconds: Int64 = row["updated_ms"]
            guard let definition = try? JSONParser().parse(Array(text.utf8)) else {
                return nil
            }
            let data = JSONValue.object(
                JSONObject([
                    .init(name: "name", value: .string(name)),
                    .init(name: "definition", value: definition),
                    .init(name: "actor", value: .string("tocsin")),
                ])
            )
            return CloudEvent(
                id: identifiers.derived("rule", ["adopted", name, String(milliseconds)]),
                source: "/tocsin/admin",
                type: Self.types[1],
                dataContentType: "application/json",
                subject: name,
                time: Timestamp(epochMilliseconds: milliseconds),
                data: .json(JSONWriter().bytes(data))
            )
        }
    }
}
