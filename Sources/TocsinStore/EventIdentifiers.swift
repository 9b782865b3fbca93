// SPDX-License-Identifier: Apache-2.0

public import Crypto
import Foundation
import TocsinCore

/// Tocsin's own event ids: unpredictable to anyone outside the node and never reused, yet the same
/// on this node for the same derivation input, so that an append repeated by a replay is
/// de-duplicated by the log's `source`+`id` uniqueness.
///
/// A derived id is `<kind>-` and the first 128 bits of HMAC-SHA256(key, input) in hex, where the
/// input is `kind` and every part, each preceded by its UTF-8 length (so no two inputs encode
/// alike). The key comes from the node's signing key through HKDF-SHA256 with its own label,
/// rather than from a second secret file: the node key is already the secret the data directory
/// must keep (whoever reads it can forge checkpoints, a far worse power than predicting ids), so
/// there is nothing new to create, protect or back up; HKDF is one-way, so the id key reveals
/// nothing about the signing key; and the label keeps the two uses apart.
public struct EventIdentifiers: Sendable {
    private let key: SymmetricKey

    /// The HKDF `info` label of the id key.
    static let label = "tocsin.event-id.v1"

    /// Derives the id key from the node's signing key.
    public init(nodeKey: Curve25519.Signing.PrivateKey) {
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: nodeKey.rawRepresentation),
            info: Array(Self.label.utf8),
            outputByteCount: 32
        )
    }

    /// Derives the id key from a secret that several nodes share (a cluster's), so that every node
    /// derives the same id for the same input: an alert raised again by another node after a
    /// failover is then de-duplicated like one raised twice by the same node.
    public init(sharedSecret: [UInt8]) {
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: sharedSecret),
            info: Array(Self.label.utf8),
            outputByteCount: 32
        )
    }

    /// Ids from a fresh random key, for events that are never appended (a backtest's alerts).
    public static func ephemeral() -> EventIdentifiers {
        EventIdentifiers(nodeKey: Curve25519.Signing.PrivateKey())
    }

    /// The id for `kind` and `parts`, for example `derived("delivery", [id, redrives, attempt])`.
    ///
    /// - Parameters:
    ///   - kind: A short lower-case word, kept readable as the id's prefix.
    ///   - parts: What makes the id unique: the same parts give the same id on this node only.
    /// - Returns: `<kind>-` and 32 hex digits.
    public func derived(_ kind: String, _ parts: [String]) -> String {
        var input: [UInt8] = []
        for part in [kind] + parts {
            let bytes = Array(part.utf8)
            withUnsafeBytes(of: UInt32(bytes.count).bigEndian) { input.append(contentsOf: $0) }
            input.append(contentsOf: bytes)
        }
        let code = HMAC<SHA256>.authenticationCode(for: input, using: key)
        return kind + "-" + Hex.encode(Array(code).prefix(16))
    }

    /// A random id (a version 4 UUID) for an event no replay can repeat.
    public static func random() -> String {
        UUID().uuidString.lowercased()
    }
}
