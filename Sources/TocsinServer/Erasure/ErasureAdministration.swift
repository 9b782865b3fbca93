// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// What `POST /v1/erasures` needs from the rest of Tocsin; the runtime implements it (the subject
/// key store and the `tocsin.subject.erased` event).
public protocol ErasureAdministration: Sendable {
    /// Crypto-shreds `subject`: destroys its key and records the erasure in the log. Erasing a
    /// subject again changes nothing and appends nothing.
    func erase(subject: String, actor: String) async throws -> ErasureReceipt
}

/// What an erasure did; it names the subject's key id, never the subject.
public struct ErasureReceipt: Sendable, Hashable {
    /// The subject's key id (a keyed hash of the subject).
    public var keyID: String
    /// Whether a key was destroyed by this request.
    public var destroyedKey: Bool
    /// Whether the subject had been erased before this request.
    public var alreadyErased: Bool
    /// The sequence number of the `tocsin.subject.erased` event.
    public var sequence: Int64

    /// Creates a receipt.
    public init(keyID: String, destroyedKey: Bool, alreadyErased: Bool, sequence: Int64) {
        self.keyID = keyID
        self.destroyedKey = destroyedKey
        self.alreadyErased = alreadyErased
        self.sequence = sequence
    }

    /// `{"key_id":…,"destroyed_key":…,"already_erased":…,"seq":…}`.
    public var jsonValue: JSONValue {
        .object(
            JSONObject([
                .init(name: "key_id", value: .string(keyID)),
                .init(name: "destroyed_key", value: .bool(destroyedKey)),
                .init(name: "already_erased", value: .bool(alreadyErased)),
                .init(name: "seq", value: .number(JSONNumber(sequence))),
            ])
        )
    }
}
