// SPDX-License-Identifier: Apache-2.0

import TocsinCore
import TocsinServer
import TocsinStore

/// Crypto-shreds data subjects for `POST /v1/erasures` and `tocsin erase`: destroys the subject's
/// key, then appends `tocsin.subject.erased` naming the key id (never the subject).
///
/// The event's id is derived from the key id, so a repeated erasure (or a retry after a failed
/// append) is a duplicate the log acknowledges without storing again.
struct ErasureAdmin: ErasureAdministration {
    /// The event type recorded for every erased subject.
    static let eventType = "tocsin.subject.erased"

    let keys: SubjectKeyStore
    let store: EventStore
    let clock: @Sendable () -> Int64

    func erase(subject: String, actor: String) async throws -> ErasureReceipt {
        let now = clock()
        let erasure = try keys.erase(subject: subject, now: now)
        let event = InternalEvents.make(
            type: Self.eventType,
            source: "/tocsin/erasure",
            id: store.identifiers.derived("subject-erased", [erasure.keyID]),
            time: now,
            data: [
                ("key_id", .string(erasure.keyID)),
                ("destroyed_key", .bool(erasure.destroyedKey)),
                ("actor", .string(actor)),
            ]
        )
        let receipts = try await store.append([event])
        return ErasureReceipt(
            keyID: erasure.keyID,
            destroyedKey: erasure.destroyedKey,
            alreadyErased: erasure.wasErased,
            sequence: receipts.first?.sequence ?? 0
        )
    }
}
