// SPDX-License-Identifier: Apache-2.0

import GRDB
import TocsinCore

/// The targets defined through the API (the `target` rows of `definitions`), folded from
/// `tocsin.target.created`, `tocsin.target.updated` and `tocsin.target.deleted`.
///
/// The events carry the definition with each secret replaced by its fingerprint (`template`) and
/// the fingerprints (`secrets`); the row holds the same, and the secrets stay in the sealed secret
/// store (`target_secrets`), which the command side writes before it appends the event. A rebuild
/// and a check refuse when a folded target refers to a secret the store does not hold or that does
/// not decrypt, naming the target, rather than build a target without its secret. Rows compared
/// equal therefore give the same decrypted definitions, the secrets compared by fingerprint.
///
/// Not part of it: targets from the rules directory (never stored: the files are their source), and
/// rows of an older version that `tocsin serve` could not split (still sealed whole, left as they
/// are). Events of older versions that carry no template are skipped; the row they describe is
/// logged again at start (``unloggedRows(_:identifiers:)``).
struct TargetDefinitionsProjection: Projection {
    static let types = ["tocsin.target.created", "tocsin.target.updated", "tocsin.target.deleted"]

    let name = "targets"
    let eventTypes = Self.types
    let tables = ["definitions"]
    let ownedRows = ["definitions": "kind = 'target' AND json NOT LIKE 'sealed:v1:%'"]
    let keyColumns = ["definitions": "name"]

    func apply(_ logged: LoggedEvent, to db: Database) throws {
        guard case .json(let bytes)? = logged.event.data, let data = try? JSONParser().parse(bytes),
            let name = data["name"]?.stringValue
        else {
            return
        }
        if logged.event.type == "tocsin.target.deleted" {
            try db.execute(sql: "DELETE FROM definitions WHERE kind = 'target' AND name = ?", arguments: [name])
            return
        }
        guard let row = StoredTargetRow(members: data), let time = logged.event.time else {
            return
        }
        try db.execute(
            sql: "INSERT OR REPLACE INTO definitions (kind, name, json, updated_ms) VALUES ('target', ?, ?, ?)",
            arguments: [name, row.text, time.epochMilliseconds]
        )
    }

    /// Refuses, naming the target, when a rebuilt target refers to a secret that the secret store
    /// does not hold or that does not decrypt.
    func checkRebuilt(_ db: Database, sealer: DefinitionSealer) throws {
        let rows = try Row.fetchAll(
            db,
            sql: "SELECT name, json FROM rebuild.definitions WHERE \(ownedRows["definitions"] ?? "0") ORDER BY name"
        )
        for row in rows {
            let name: String = row["name"]
            guard let stored = StoredTargetRow(text: row["json"]) else {
                continue
            }
            _ = try RoutingStore.filled(stored, name: name, db: db, sealer: sealer)
        }
    }

    /// A `tocsin.target.updated` event for each stored target whose last `created` or `updated`
    /// event carries no template (an older version's, or none at all).
    func unloggedRows(_ db: Database, identifiers: EventIdentifiers) throws -> [CloudEvent] {
        let rows = try Row.fetchAll(
            db,
            sql: "SELECT name, json, updated_ms FROM definitions WHERE kind = 'target' ORDER BY updated_ms, name"
        )
        var events: [CloudEvent] = []
        for row in rows {
            let name: String = row["name"]
            let milliseconds: Int64 = row["updated_ms"]
            guard let stored = StoredTargetRow(text: row["json"]), try !isLogged(name, db: db) else {
                continue
            }
            let data = JSONValue.object(
                JSONObject([
                    .init(name: "name", value: .string(name)),
                    .init(name: "template", value: stored.template),
                    .init(name: "secrets", value: .array(stored.fingerprints.map { .string($0) })),
                    .init(name: "actor", value: .string("tocsin")),
                ])
            )
            events.append(
                CloudEvent(
                    id: identifiers.derived("target", ["adopted", name, String(milliseconds)]),
                    source: "/tocsin/admin",
                    type: Self.types[1],
                    dataContentType: "application/json",
                    subject: name,
                    time: Timestamp(epochMilliseconds: milliseconds),
                    data: .json(JSONWriter().bytes(data))
                )
            )
        }
        return events
    }

    /// Whether the target's last `created` or `updated` event carries its template.
    private func isLogged(_ name: String, db: Database) throws -> Bool {
        let last = try Row.fetchOne(
            db,
            sql: """
                SELECT \(LogRecord.columns) FROM events WHERE type IN (?, ?) AND subject = ?
                ORDER BY seq DESC LIMIT 1
                """,
            arguments: [Self.types[0], Self.types[1], name]
        )
        guard let last, case .json(let bytes)? = try LogRecord(row: last).loggedEvent().event.data,
            let data = try? JSONParser().parse(bytes)
        else {
            return false
        }
        return StoredTargetRow(members: data) != nil
    }
}
