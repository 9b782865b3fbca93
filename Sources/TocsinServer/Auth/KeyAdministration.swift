// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// What the keys API needs from the rest of Tocsin; the runtime implements it (store, key ring,
/// `tocsin.key.*` events).
public protocol KeyAdministration: Sendable {
    /// Creates an identity; for a key identity, returns the new key (shown this once).
    func create(_ identity: Identity, actor: String) async throws -> String?
    /// Every identity, revoked ones included, by name.
    func list() async throws -> [Identity]
    /// Revokes an identity; its keys stop working at once. Returns whether it was active.
    func revoke(name: String, actor: String) async throws -> Bool
    /// Gives a key identity a new key; the previous one works for `graceSeconds` more. Returns
    /// the new key, or `nil` when there is no active key identity of that name.
    func rotate(name: String, graceSeconds: Int64, actor: String) async throws -> String?
}

/// Why a key change was refused.
public enum KeyAdministrationError: Error, Sendable {
    /// The name or certificate name is taken.
    case conflict(String)
    /// The change is not allowed (revoking the bootstrap admin).
    case refused(String)
}
