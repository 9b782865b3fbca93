// SPDX-License-Identifier: Apache-2.0

public import Crypto
import Foundation
import TocsinCore

extension KeyFiles {
    /// File name of the compliance key (hex, mode 0600): the HMAC key of the compliance policy's
    /// `hash` action (docs/compliance.md).
    public static let complianceKeyName = "compliance.key"

    /// Loads the compliance key, creating it on first start.
    ///
    /// - Throws: ``StoreError`` with code ``StoreError/Code/keyFile`` when the file is readable by
    ///   others or is not 32 hex-encoded bytes.
    public static func loadOrCreateComplianceKey(in directory: String) throws -> SymmetricKey {
        let path = directory + "/" + complianceKeyName
        if let text = try readIfExists(path) {
            try requireOwnerOnly(path)
            guard let bytes = Hex.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32 else {
                throw StoreError(
                    code: .keyFile,
                    message: "\(path) is not 32 hex-encoded bytes; restore it from backup or delete it "
                        + "(values hashed before then will no longer match new hashes)"
                )
            }
            return SymmetricKey(data: bytes)
        }
        let key = SymmetricKey(size: .bits256)
        try writeSecret(key.withUnsafeBytes { Hex.encode(Array($0)) } + "\n", to: path)
        return key
    }
}
