// SPDX-License-Identifier: Apache-2.0

import TocsinCore
import TocsinServer
import TocsinStore

/// Identities and keys: the store keeps them, the key ring serves them to the request path, and
/// every change appends a `tocsin.key.*` event naming the acting identity.
struct KeyAdmin: KeyAdministration {
    let store: EventStore
    let ring: KeyRing
    let dataDirectory: String
    let clock: @Sendable () -> Int64

    /// Loads every identity and key hash into the ring.
    func reload() throws {
        let (identities, secrets) = try store.identities.load()
        ring.replace(identities: identities, secrets: secrets)
    }

    func create(_ identity: Identity, actor: String) async throws -> String? {
        let key = identity.certificateName == nil ? KeyFiles.generateAPIKey() : nil
        do {
            try await store.identities.create(identity, secretHash: key.map(KeyFiles.hashAPIKey))
        } catch let error as StoreError where error.code == .conflict {
            throw KeyAdministrationError.conflict(error.message)
        }
        try reload()
        try await record(
            "tocsin.key.created",
            name: identity.name,
            actor: actor,
            extra: [("identity", identity.jsonValue)]
        )
        return key
    }

    func list() async throws -> [Identity] {
        try store.identities.load().identities
    }

    func revoke(name: String, actor: String) async throws -> Bool {
        guard name != Identity.bootstrapName else {
            throw KeyAdministrationError.refused(
                "the bootstrap admin identity cannot be revoked; rotate its key instead (POST /v1/keys/admin/rotate)"
            )
        }
        // The event carries the revocation time the store wrote, so the identities projection
        // rebuilds the same row from the log.
        let now = clock()
        guard try await store.identities.revoke(name: name, now: now) else {
            return false
        }
        try reload()
        try await record("tocsin.key.revoked", name: name, actor: actor, extra: [], time: now)
        return true
    }

    func rotate(name: String, graceSeconds: Int64, actor: String) async throws -> String? {
        let key = KeyFiles.generateAPIKey()
        let now = clock()
        guard
            try await store.identities.rotate(
                name: name,
                newHash: KeyFiles.hashAPIKey(key),
                previousUntil: now + graceSeconds * 1000,
                now: now
            )
        else {
            return nil
        }
        if name == Identity.bootstrapName {
            try KeyFiles.replaceSecret(key + "\n", at: dataDirectory + "/" + KeyFiles.adminKeyName)
        }
        try reload()
        try await record(
            "tocsin.key.rotated",
            name: name,
            actor: actor,
            extra: [("grace_seconds", InternalEvents.number(graceSeconds))]
        )
        return key
    }

    private func record(
        _ type: String,
        name: String,
        actor: String,
        extra: [(String, JSONValue)],
        time: Int64? = nil
    ) async throws {
        _ = try await store.append([
            Self.keyEvent(type, name: name, actor: actor, extra: extra, time: time ?? clock())
        ])
    }
}

extension KeyAdmin {
    /// A `tocsin.key.*` event (source `/tocsin/keys`): the identity's name, who acted, and `extra`.
    static func keyEvent(
        _ type: String,
        name: String,
        actor: String,
        extra: [(String, JSONValue)],
        time: Int64
    ) -> CloudEvent {
        InternalEvents.make(
            type: type,
            source: "/tocsin/keys",
            subject: name,
            time: time,
            data: [("name", .string(name)), ("actor", .string(actor))] + extra
        )
    }
}
