// SPDX-License-Identifier: Apache-2.0

import Crypto

extension ProofBundle.Rule {
    /// A rule section for a definition the log holds: its JSON text and that text's SHA-256.
    public init(name: String, sequence: Int64, definition text: String) {
        self.init(name: name, sequence: sequence, text: text, sha256: Self.hash(of: text))
    }

    /// SHA-256 of a definition's UTF-8 bytes: the rule hash a bundle states.
    public static func hash(of text: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(text.utf8)))
    }
}
