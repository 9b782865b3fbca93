// SPDX-License-Identifier: Apache-2.0

public import Crypto
public import TocsinCore

/// Shows that a secret is set, and whether it changed, without showing it.
///
/// A fingerprint is HMAC-SHA256 under the node's own key (a file in the data directory), truncated
/// to 64 bits and labelled: `hmac-sha256:` and 16 hex digits. Without the key a fingerprint cannot
/// be checked against guesses, as an unsalted hash prefix of a short token could.
public struct SecretRedactor: Sendable {
    /// The fingerprint's label.
    public static let label = "hmac-sha256:"
    private let key: SymmetricKey

    /// A redactor keyed with `key` (at least 16 bytes).
    public init(key: SymmetricKey) {
        self.key = key
    }

    /// A redactor keyed with the bytes of `key`.
    public init(keyBytes: [UInt8]) {
        self.key = SymmetricKey(data: keyBytes)
    }

    /// The labelled fingerprint of `secret`.
    public func fingerprint(_ secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Array(secret.utf8), using: key)
        return Self.label + String(Hex.encode(Array(code)).prefix(16))
    }

    /// A URL with everything after its origin replaced, for URLs that carry credentials in their
    /// user information, path or query (a Slack or PagerDuty webhook URL is itself the secret).
    ///
    /// Returns two members: `url` (`https://hooks.slack.com/…`, scheme and host only) and
    /// `url_fingerprint`.
    public func urlMembers(_ url: String) -> [JSONObject.Member] {
        [
            .init(name: "url", value: .string(Self.origin(of: url) + "/…")),
            .init(name: "url_fingerprint", value: .string(fingerprint(url))),
        ]
    }

    /// `scheme://host[:port]` of `url`, without user information; `…` when it has no `://`.
    public static func origin(of url: String) -> String {
        guard let separator = url.firstRange(of: "://") else {
            return "…"
        }
        let scheme = url[..<separator.lowerBound]
        let rest = url[separator.upperBound...]
        var authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") {
            authority = authority[authority.index(after: at)...]
        }
        return "\(scheme)://\(authority)"
    }
}
