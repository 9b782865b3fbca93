// SPDX-License-Identifier: Apache-2.0

import GRDB
import TocsinCore

/// Identities (names, roles, scopes, expiry, certificate names, creation and revocation times),
/// folded from `tocsin.key.created` and `tocsin.key.revoked`.
///
/// Key hashes (`key_secrets`) are credentials, not a read model: they never go into the log, so
/// this projection leaves that table to the identity store. The bootstrap `admin` identity is made
/// from the data directory at first start, before the log runs, and never changes (it cannot be
/// revoked; rotating changes only its key), so it is not part of the projection either. Other
/// identities written before their events existed (by older versions) get a `tocsin.key.created`
/// event, and a `tocsin.key.revoked` one when revoked, before a rebuild (``unloggedRows(_:identifiers:)``).
struct IdentitiesProjection: Projection {
    static let createdType = "tocsin.key.created"
    static let revokedType = "tocsin.key.revoked"
    static let source = "/tocsin/keys"

    let name = "identities"
    let eventTypes = [Self.createdType, Self.revokedType]
    let tables = ["identities"]
    let ownedRows = ["identities": "name <> '\(Identity.bootstrapName)'"]

    func apply(_ logged: LoggedEvent, to db: Database) throws {
        switch Self.change(logged.event) {
        case .created(let identity)?:
            try db.execute(
                sql: """
                    INSERT INTO identities (name, roles, scope, expires_ms, certificate_cn, created_ms, revoked_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(name) DO UPDATE SET roles = excluded.roles, scope = excluded.scope,
                        expires_ms = excluded.expires_ms, certificate_cn = excluded.certificate_cn,
                        created_ms = excluded.created_ms
                    """,
                arguments: [
                    identity.name, identity.roles.sorted().map(\.rawValue).joined(separator: ","),
                    identity.scope.map { JSONWriter().string($0) }, identity.expiresAtMilliseconds,
                    identity.certificateName, identity.createdAtMilliseconds, identity.revokedAtMilliseconds,
                ]
            )
        case .revoked(let name, let milliseconds)?:
            try db.execute(
                sql: "UPDATE identities SET revoked_ms = ? WHERE name = ? AND revoked_ms IS NULL",
                arguments: [milliseconds, name]
            )
        case nil:
            return
        }
    }

    /// What one key event changes, or `nil` for an event that does not follow the schema.
    enum Change: Sendable, Hashable {
        /// An identity was created as described.
        case created(Identity)
        /// The identity was revoked at the event's time.
        case revoked(name: String, milliseconds: Int64)
    }

    /// Decodes a `tocsin.key.*` event (pure).
    static func change(_ event: CloudEvent) -> Change? {
        guard case .json(let bytes)? = event.data, let data = try? JSONParser().parse(bytes),
            let name = data["name"]?.stringValue
        else {
            return nil
        }
        if event.type == revokedType {
            return event.time.map { .revoked(name: name, milliseconds: $0.epochMilliseconds) }
        }
        guard event.type == createdType, let identity = data["identity"],
            let created = milliseconds(identity["created_at"])
        else {
            return nil
        }
        var roles: Set<Role> = []
        if case .array(let names)? = identity["roles"] {
            roles = Set(names.compactMap { $0.stringValue.flatMap(Role.init(rawValue:)) })
        }
        return .created(
            Identity(
                name: name,
                roles: roles,
                scope: identity["scope"],
                expiresAtMilliseconds: milliseconds(identity["expires_at"]),
                certificateName: identity["certificate_cn"]?.stringValue,
                createdAtMilliseconds: created,
                revokedAtMilliseconds: milliseconds(identity["revoked_at"])
            )
        )
    }

    /// Events for identities that no `tocsin.key.created` event describes.
    func unloggedRows(_ db: Database, identifiers: EventIdentifiers) throws -> [CloudEvent] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT name, roles, scope, expires_ms, certificate_cn, created_ms, revoked_ms FROM identities
                WHERE name <> ? AND name NOT IN (SELECT subject FROM events WHERE type = ? AND subject IS NOT NULL)
                ORDER BY created_ms, name
                """,
            arguments: [Identity.bootstrapName, Self.createdType]
        )
        var events: [CloudEvent] = []
        for row in rows {
            var identity = try IdentityStore.identity(row: row)
            let revoked = identity.revokedAtMilliseconds
            identity.revokedAtMilliseconds = nil
            events.append(
                Self.event(
                    Self.createdType,
                    name: identity.name,
                    id: identifiers.derived("key", ["adopted", identity.name]),
                    milliseconds: identity.createdAtMilliseconds,
                    extra: [.init(name: "identity", value: identity.jsonValue)]
                )
            )
            if let revoked {
                events.append(
                    Self.event(
                        Self.revokedType,
                        name: identity.name,
                        id: identifiers.derived("key", ["adopted-revoked", identity.name]),
                        milliseconds: revoked,
                        extra: []
                    )
                )
            }
        }
        return events
    }

    private static func event(
        _ type: String,
        name: String,
        id: String,
        milliseconds: Int64,
        extra: [JSONObject.Member]
    ) -> CloudEvent {
        let members: [JSONObject.Member] =
            [.init(name: "name", value: .string(name)), .init(name: "actor", value: .string("tocsin"))] + extra
        return CloudEvent(
            id: id,
            source: source,
            type: type,
            dataContentType: "application/json",
            subject: name,
            time: Timestamp(epochMilliseconds: milliseconds),
            data: .json(JSONWriter().bytes(.object(JSONObject(members))))
        )
    }

    private static func milliseconds(_ value: JSONValue?) -> Int64? {
        value?.stringValue.flatMap { Timestamp(rfc3339: $0) }?.epochMilliseconds
    }
}
