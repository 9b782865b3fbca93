// SPDX-License-Identifier: Apache-2.0

public import Crypto

#if canImport(FoundationEssentials)
import struct FoundationEssentials.Data
#else
import struct Foundation.Data
#endif

/// A personal field's value as the log stores it: sealed with AES-256-GCM under its subject's key.
///
/// The text form, which replaces the field's value in the event, is
/// `tocsin:enc:v1:<key id>:<Base64 of nonce ‖ ciphertext ‖ tag>`. The key id is a keyed hash of
/// the subject, so the envelope never names the subject in clear. The plaintext is the field's
/// JSON text, so numbers, objects and arrays come back as they were. The additional
/// authenticated data is the envelope prefix and the key id: an envelope cannot be re-labelled
/// with another subject's key id without failing to open.
public struct FieldEnvelope: Sendable, Hashable {
    /// What every envelope's text starts with.
    public static let prefix = "tocsin:enc:v1:"
    /// What a read shows for a field whose key was destroyed (or never existed).
    public static let erasedMarker = "[erased]"
    /// The length of a key id in hex digits (128 bits of the keyed hash).
    public static let keyIDLength = 32

    /// The id of the subject key that seals the value (lowercase hex).
    public var keyID: String
    /// The 96-bit nonce, the ciphertext and the 128-bit tag, in that order.
    public var sealed: [UInt8]

    /// Creates an envelope from its parts.
    public init(keyID: String, sealed: [UInt8]) {
        self.keyID = keyID
        self.sealed = sealed
    }

    /// Reads an envelope's text form; `nil` when `text` is not one.
    public init?(parsing text: String) {
        guard text.hasPrefix(Self.prefix) else {
            return nil
        }
        let rest = text.utf8.dropFirst(Self.prefix.utf8.count)
        guard let colon = rest.firstIndex(of: UInt8(ascii: ":")),
            rest.distance(from: rest.startIndex, to: colon) == Self.keyIDLength,
            let encoded = String(rest[rest.index(after: colon)...]),
            let bytes = Data(base64Encoded: encoded),
            bytes.count >= 12 + 16
        else {
            return nil
        }
        keyID = String(decoding: rest[..<colon], as: UTF8.self)
        guard keyID.utf8.allSatisfy({ Hex.isLowercaseDigit($0) }) else {
            return nil
        }
        sealed = Array(bytes)
    }

    /// The text form that replaces the field's value.
    public var text: String {
        Self.prefix + keyID + ":" + Data(sealed).base64EncodedString()
    }

    /// Seals `value` under `key`.
    ///
    /// - Parameters:
    ///   - value: The field's value.
    ///   - keyID: The id of `key`.
    ///   - key: The subject's 256-bit key.
    ///   - nonce: A fresh random nonce; never reuse one with the same key.
    /// - Returns: The envelope.
    /// - Throws: When swift-crypto refuses the key (a key that is not 128, 192 or 256 bits).
    public static func seal(
        _ value: JSONValue,
        keyID: String,
        key: SymmetricKey,
        nonce: AES.GCM.Nonce
    ) throws -> FieldEnvelope {
        let box = try AES.GCM.seal(
            JSONWriter().bytes(value),
            using: key,
            nonce: nonce,
            authenticating: associatedData(keyID: keyID)
        )
        return FieldEnvelope(keyID: keyID, sealed: Array(box.nonce) + Array(box.ciphertext) + Array(box.tag))
    }

    /// The value this envelope seals, or `nil` when `key` does not open it (a wrong key, or a
    /// modified envelope).
    public func open(key: SymmetricKey) -> JSONValue? {
        guard let box = try? AES.GCM.SealedBox(combined: sealed),
            let plaintext = try? AES.GCM.open(box, using: key, authenticating: Self.associatedData(keyID: keyID))
        else {
            return nil
        }
        return try? JSONParser().parse(Array(plaintext))
    }

    private static func associatedData(keyID: String) -> [UInt8] {
        Array((prefix + keyID).utf8)
    }
}

extension Hex {
    /// Whether `byte` is `0`–`9` or `a`–`f`.
    static func isLowercaseDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}
