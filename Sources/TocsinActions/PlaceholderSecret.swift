// SPDX-License-Identifier: Apache-2.0

import Foundation

/// Recognises a secret copied from documentation instead of set.
///
/// Examples are `…`, `xxxx`, `<secret>` and `changeme`. Such a value would be accepted and used for
/// signing, and every receiver that checks the signature would then refuse every delivery.
enum PlaceholderSecret {
    private static let words: Set<String> = [
        "changeme", "change-me", "change_me", "replaceme", "replace-me", "replace_me", "placeholder",
        "secret", "your-secret", "your_secret", "yoursecret", "todo", "tbd",
    ]

    /// `value` is an obvious placeholder rather than a secret.
    static func isPlaceholder(_ value: String) -> Bool {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed.allSatisfy({ "….*xX".contains($0) }) {
            return true
        }
        if (trimmed.hasPrefix("<") && trimmed.hasSuffix(">")) || (trimmed.hasPrefix("{{") && trimmed.hasSuffix("}}"))
            || (trimmed.hasPrefix("${") && trimmed.hasSuffix("}"))
        {
            return true
        }
        return words.contains(trimmed.lowercased())
    }

    /// The diagnostic for a placeholder in `key`, naming what to put there instead.
    static func problem(_ key: String) -> String {
        "\(key) looks like a placeholder copied from an example; set the real value (for a signing secret, a random one such as the output of 'openssl rand -hex 32')"
    }
}
