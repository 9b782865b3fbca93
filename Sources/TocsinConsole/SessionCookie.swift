// SPDX-License-Identifier: Apache-2.0

/// The `Set-Cookie` and `Cookie` text of the console's session cookie.
public enum SessionCookie: Sendable {
    /// The cookie's name.
    public static let name = "tocsin_session"

    /// The `Set-Cookie` value that stores `id`: HttpOnly, SameSite=Strict, scoped to `/ui`, and
    /// Secure when the server speaks TLS.
    ///
    /// - Parameters:
    ///   - id: The session id.
    ///   - maxAgeSeconds: How long the browser keeps it.
    ///   - secure: Whether to add `Secure` (the server is behind TLS).
    /// - Returns: The header value.
    public static func set(id: String, maxAgeSeconds: Int64, secure: Bool) -> String {
        var parts = ["\(name)=\(id)", "Path=/ui", "Max-Age=\(maxAgeSeconds)", "HttpOnly", "SameSite=Strict"]
        if secure {
            parts.append("Secure")
        }
        return parts.joined(separator: "; ")
    }

    /// The `Set-Cookie` value that makes the browser drop the cookie.
    public static func clear(secure: Bool) -> String {
        set(id: "", maxAgeSeconds: 0, secure: secure)
    }

    /// The session id in a `Cookie` header, or `nil` when it has none (or an empty one).
    public static func id(inCookieHeader header: String?) -> String? {
        guard let header else {
            return nil
        }
        for pair in header.split(separator: ";") {
            let trimmed = pair.drop { $0 == " " }
            guard let equals = trimmed.firstIndex(of: "="), trimmed[..<equals] == name else {
                continue
            }
            let value = String(trimmed[trimmed.index(after: equals)...])
            return value.isEmpty ? nil : value
        }
        return nil
    }
}
