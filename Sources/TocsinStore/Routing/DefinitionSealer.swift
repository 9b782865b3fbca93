// SPDX-License-Identifier: Apache-2.0

import Crypto
import Foundation
import TocsinCore

/// Encrypts target definitions at rest, so a copied database alone reveals no target secret.
///
/// A target's definition holds its secrets (a signing secret, header values, a Slack or PagerDuty
/// URL that *is* the credential). It is stored as `sealed:v1:` followed by the base64 of an AES-GCM
/// box (12-byte nonce, ciphertext, 16-byte tag) under a 256-bit key kept in the data directory's
/// `definitions.key` (mode 0600, created on first start). The box is bound to the row's kind and
/// name as associated data, so a sealed definition moved to another row does not open.
struct DefinitionSealer: Sendable {
    /// The key file's name in the data directory.
    static let keyFileName = "definitions.key"
    /// What a sealed value starts with.
    static let prefix = "sealed:v1:"

    private let key: SymmetricKey

    init(key: SymmetricKey) {
        self.key = key
    }

    /// Loads the data directory's key, creating it on first start.
    ///
    /// - Throws: ``StoreError`` (``StoreError/Code/keyFile``) when the file is readable by others
    ///   or is not a 256-bit hex key.
    static func loadOrCreate(in directory: String) throws -> DefinitionSealer {
        let path = directory + "/" + keyFileName
        if FileManager.default.fileExists(atPath: path) {
            try KeyFiles.requireOwnerOnly(path)
        }
        if let text = try KeyFiles.readIfExists(path) {
            guard let bytes = Hex.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32 else {
                throw StoreError(
                    code: .keyFile,
                    message:
                        "\(path) is not a 256-bit hex key; restore it from backup (without it, stored targets cannot be read)"
                )
            }
            return DefinitionSealer(key: SymmetricKey(data: bytes))
        }
        let key = SymmetricKey(size: .bits256)
        try KeyFiles.writeSecret(key.withUnsafeBytes { Hex.encode($0) } + "\n", to: path)
        return DefinitionSealer(key: key)
    }

    /// The sealed form of `json`, bound to the row `kind`/`name`.
    func seal(_ json: String, kind: String, name: String) throws -> String {
        let box = try AES.GCM.seal(Array(json.utf8), using: key, authenticating: Self.binding(kind, name))
        guard let combined = box.combined else {
            throw StoreError(code: .corruptRecord, message: "AES-GCM produced no combined box")
        }
        return Self.prefix + combined.base64EncodedString()
    }

    /// The JSON text of a stored value: opened when sealed, as it is when written before sealing
    /// existed.
    ///
    /// - Throws: ``StoreError`` (``StoreError/Code/corruptRecord``) when the box does not open with
    ///   this key (another data directory's key, or a tampered row).
    func open(_ stored: String, kind: String, name: String) throws(StoreError) -> String {
        guard stored.hasPrefix(Self.prefix) else {
            return stored
        }
        guard let combined = Data(base64Encoded: String(stored.dropFirst(Self.prefix.count))),
            let box = try? AES.GCM.SealedBox(combined: combined),
            let plain = try? AES.GCM.open(box, using: key, authenticating: Self.binding(kind, name))
        else {
            throw StoreError(
                code: .corruptRecord,
                message: "the stored \(kind) '\(name)' does not decrypt with \(Self.keyFileName): "
                    + "the database and key file come from different data directories, or the row was altered"
            )
        }
        return String(decoding: plain, as: UTF8.self)
    }

    /// Whether `stored` is already sealed.
    static func isSealed(_ stored: String) -> Bool {
        stored.hasPrefix(prefix)
    }

    private static func binding(_ kind: String, _ name: String) -> [UInt8] {
        Array("tocsin.definition.v1\u{0}\(kind)\u{0}\(name)".utf8)
    }
}
