// SPDX-License-Identifier: Apache-2.0

import GRDB
public import TocsinCore

extension Schema {
    /// The sealed secret store of targets, keyed by target and fingerprint.
    ///
    /// Each secret is sealed with `definitions.key`. Target rows written before it held their
    /// whole definition sealed; `tocsin serve` splits them at start (``RoutingStore/legacyTargets()``).
    static func targetSecrets(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE target_secrets (
                    target TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    sealed TEXT NOT NULL,
                    PRIMARY KEY (target, fingerprint)
                ) WITHOUT ROWID
                """
        )
    }
}

/// A target row of `definitions`: the definition with each secret replaced by its fingerprint, and
/// the fingerprints it refers to, as `{"template": …, "secrets": […]}`, the same members its
/// `tocsin.target.*` event carries.
struct StoredTargetRow: Sendable, Hashable {
    var template: JSONValue
    var fingerprints: [String]

    /// The row's JSON text.
    var text: String {
        JSONWriter().string(
            .object(
                JSONObject([
                    .init(name: "template", value: template),
                    .init(name: "secrets", value: .array(fingerprints.map { .string($0) })),
                ])
            )
        )
    }

    init(template: JSONValue, fingerprints: [String]) {
        self.template = template
        self.fingerprints = fingerprints
    }

    /// The row in `text`, or `nil` for a row of an older version (the whole definition, sealed).
    init?(text: String) {
        guard !DefinitionSealer.isSealed(text), let value = try? JSONParser().parse(Array(text.utf8)) else {
            return nil
        }
        self.init(members: value)
    }

    /// The row that an event's or a row's `template` and `secrets` members describe.
    init?(members value: JSONValue) {
        guard case .object(let object) = value, let template = object["template"],
            case .array(let items)? = object["secrets"]
        else {
            return nil
        }
        let fingerprints = items.compactMap(\.stringValue)
        guard fingerprints.count == items.count else {
            return nil
        }
        self.init(template: template, fingerprints: fingerprints)
    }

    /// The template with each fingerprint replaced by its secret.
    static func filled(_ value: JSONValue, secrets: [String: String]) -> JSONValue {
        switch value {
        case .string(let text):
            return .string(secrets[text] ?? text)
        case .array(let items):
            return .array(items.map { filled($0, secrets: secrets) })
        case .object(let object):
            return .object(
                JSONObject(object.members.map { .init(name: $0.name, value: filled($0.value, secrets: secrets)) })
            )
        case .null, .bool, .number:
            return value
        }
    }
}

extension RoutingStore {
    /// Stores a target defined through the API, dated `now` (its event's time); returns whether
    /// it is new.
    ///
    /// The row holds the definition with each secret replaced by its fingerprint, the secret
    /// store each secret, sealed.
    ///
    /// The target keeps the secrets of this definition and of the one it replaces (a follower may
    /// still apply the previous event once); older ones are deleted. Call it before appending
    /// the `tocsin.target.*` event that carries the same template and fingerprints.
    public func putTarget(
        _ name: String,
        template: JSONValue,
        secrets: [String: String],
        at now: Int64
    ) async throws -> Bool {
        let row = StoredTargetRow(template: template, fingerprints: secrets.keys.sorted())
        let sealed = try secrets.map { fingerprint, secret in
            (fingerprint, try sealer.seal(secret, kind: Self.secretKind, name: Self.secretName(name, fingerprint)))
        }
        return try await pool.write { db in
            let previous = try String.fetchOne(
                db,
                sql: "SELECT json FROM definitions WHERE kind = 'target' AND name = ?",
                arguments: [name]
            )
            var kept = Set(row.fingerprints)
            kept.formUnion(previous.flatMap(StoredTargetRow.init(text:))?.fingerprints ?? [])
            for (fingerprint, box) in sealed {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO target_secrets (target, fingerprint, sealed) VALUES (?, ?, ?)",
                    arguments: [name, fingerprint, box]
                )
            }
            let stored = try String.fetchAll(
                db,
                sql: "SELECT fingerprint FROM target_secrets WHERE target = ?",
                arguments: [name]
            )
            for fingerprint in stored where !kept.contains(fingerprint) {
                try db.execute(
                    sql: "DELETE FROM target_secrets WHERE target = ? AND fingerprint = ?",
                    arguments: [name, fingerprint]
                )
            }
            try db.execute(
                sql: "INSERT OR REPLACE INTO definitions (kind, name, json, updated_ms) VALUES ('target', ?, ?, ?)",
                arguments: [name, row.text, now]
            )
            return previous == nil
        }
    }

    /// Deletes the secrets of a target that is no longer stored; call it after appending its
    /// `tocsin.target.deleted` event (until then a rebuild still folds the target).
    public func deleteTargetSecrets(_ name: String) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    DELETE FROM target_secrets WHERE target = ?
                    AND NOT EXISTS (SELECT 1 FROM definitions WHERE kind = 'target' AND name = ?)
                    """,
                arguments: [name, name]
            )
        }
    }

    /// The target rows stored whole by a version before the secret store, each as its JSON text
    /// (or why it does not decrypt) and its date; ``putTarget(_:template:secrets:at:)`` with the
    /// same date replaces one.
    public func legacyTargets() async throws -> [(name: String, json: Result<String, StoreError>, milliseconds: Int64)]
    {
        let rows = try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT name, json, updated_ms FROM definitions WHERE kind = 'target'")
                .map {
                    (name: $0["name"] as String, json: $0["json"] as String, milliseconds: $0["updated_ms"] as Int64)
                }
                .filter { StoredTargetRow(text: $0.json) == nil }
        }
        return rows.map { row in
            (
                name: row.name,
                json: Result { () throws(StoreError) in try sealer.open(row.json, kind: "target", name: row.name) },
                milliseconds: row.milliseconds
            )
        }
    }

    /// Every stored target as its JSON text with its secrets put back, or why it cannot be read.
    func targetDefinitions() async throws -> [(name: String, json: Result<String, StoreError>)] {
        try await pool.read { [sealer] db in
            try Row.fetchAll(db, sql: "SELECT name, json FROM definitions WHERE kind = 'target' ORDER BY name").map {
                row -> (name: String, json: Result<String, StoreError>) in
                let name: String = row["name"]
                let text: String = row["json"]
                guard let stored = StoredTargetRow(text: text) else {
                    return (name, Result { () throws(StoreError) in try sealer.open(text, kind: "target", name: name) })
                }
                return (
                    name,
                    Result { () throws(StoreError) in try Self.filled(stored, name: name, db: db, sealer: sealer) }
                )
            }
        }
    }

    /// The target's definition with its secrets put back from the secret store.
    ///
    /// - Throws: ``StoreError`` (``StoreError/Code/refused``) naming the target when a secret is
    ///   missing or does not open.
    static func filled(
        _ row: StoredTargetRow,
        name: String,
        db: Database,
        sealer: DefinitionSealer
    ) throws(StoreError)
        -> String
    {
        var secrets: [String: String] = [:]
        for fingerprint in row.fingerprints {
            let box = try? String.fetchOne(
                db,
                sql: "SELECT sealed FROM target_secrets WHERE target = ? AND fingerprint = ?",
                arguments: [name, fingerprint]
            )
            guard let box, DefinitionSealer.isSealed(box),
                let secret = try? sealer.open(box, kind: secretKind, name: secretName(name, fingerprint))
            else {
                throw StoreError(
                    code: .refused,
                    message:
                        "the target '\(name)' refers to a secret (\(fingerprint)) that the secret store does not hold "
                        + "or that does not decrypt with \(DefinitionSealer.keyFileName); "
                        + "define the target again through the API with its secret (PUT /v1/targets/\(name))"
                )
            }
            secrets[fingerprint] = secret
        }
        return JSONWriter().string(StoredTargetRow.filled(row.template, secrets: secrets))
    }

    private static let secretKind = "target-secret"

    /// What a sealed secret is bound to: its target and fingerprint.
    private static func secretName(_ target: String, _ fingerprint: String) -> String {
        target + "\u{0}" + fingerprint
    }
}
