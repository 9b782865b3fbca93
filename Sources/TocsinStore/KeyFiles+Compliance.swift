// SPDX-License-Identifier: Apache-2.0

public import Crypto

extension KeyFiles {
    /// File name of the compliance key (hex, mode 0600): the HMAC key of the compliance policy's
    /// `hash` action (docs/compliance.md).
    public static let complianceKeyName = "compliance.key"

    /// Loads the compliance key, creating it on first start.
    ///
    /// - Throws: ``StoreError`` with code ``StoreError/Code/keyFile`` when the file is readable by
    ///   others or is not 32 hex-encoded bytes.
    public static func loadOrCreateComplianceKey(in directory: String) throws -> SymmetricKey {
        try loadOrCreateSymmetricKey(
            complianceKeyName,
            in: directory,
            ifReplaced: "values hashed before then will no longer match new hashes"
        )
    }
}
