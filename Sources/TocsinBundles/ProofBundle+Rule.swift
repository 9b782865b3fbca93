// SPDX-License-Identifier: Apache-2.0

import Crypto
public import TocsinCore

extension ProofBundle.Rule {
    /// A rule section for a definition the log holds: its JSON text and that text's SHA-256.
    public init(name: String, sequence: Int64, definition text: String) {
        self.init(name: name, sequence: sequence, text: text, sha256: Self.hash(of: text))
    }

    /// The text a bundle states for a logged `definition`: the string itself for a Sigma rule's
    /// file, the compact JSON of an event-pattern rule's definition.
    public static func text(of definition: JSONValue) -> String {
        if case .string(let text) = definition {
            return text
        }
        return JSONWriter().string(definition)
    }

    /// SHA-256 of a definition's UTF-8 bytes: the rule hash a bundle states.
    public static func hash(of text: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(text.utf8)))
    }
}
