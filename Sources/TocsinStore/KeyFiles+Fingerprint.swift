// SPDX-License-Identifier: Apache-2.0

public import Crypto
import Foundation
import TocsinCore

extension KeyFiles {
    /// File name of the node's fingerprint key (hex, mode 0600): the HMAC key that fingerprints
    /// target secrets in the API and the log.
    public static let fingerprintKeyName = "fingerprint.key"

    /// Loads the node's fingerprint key, creating it on first start.
    ///
    /// - Throws: ``StoreError`` with code ``StoreError/Code/keyFile`` when the file is readable by
    ///   others or is not 32 hex-encoded bytes.
    public static func loadOrCreateFingerprintKey(in directory: String) throws -> SymmetricKey {
        try loadOrCreateSymmetricKey(
            fingerprintKeyName,
            in: directory,
            ifReplaced: "fingerprints shown before then will change"
        )
    }

    /// Loads the 256-bit key in the file `name` (hex, mode 0600) of `directory`, creating it on first start.
    ///
    /// - Parameters:
    ///   - name: The key file's name.
    ///   - directory: The data directory.
    ///   - consequence: What replacing the key changes, for the error that says how to fix a bad file.
    /// - Returns: The key.
    /// - Throws: ``StoreError`` with code ``StoreError/Code/keyFile`` when the file is readable by
    ///   others or is not 32 hex-encoded bytes.
    static func loadOrCreateSymmetricKey(
        _ name: String,
        in directory: String,
        ifReplaced consequence: String
    ) throws -> SymmetricKey {
        let path = directory + "/" + name
        if let text = try readIfExists(path) {
            try requireOwnerOnly(path)
            guard let bytes = Hex.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32 else {
                throw StoreError(
                    code: .keyFile,
                    message: "\(path) is not 32 hex-encoded bytes; restore it from backup or delete it (\(consequence))"
                )
            }
            return SymmetricKey(data: bytes)
        }
        let key = SymmetricKey(size: .bits256)
        try writeSecret(key.withUnsafeBytes { Hex.encode(Array($0)) } + "\n", to: path)
        return key
    }
}
