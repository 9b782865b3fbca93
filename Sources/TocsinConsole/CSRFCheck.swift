// SPDX-License-Identifier: Apache-2.0

/// Decides whether a form post may act: the session's CSRF token must come back in the form, and a
/// browser that names the request's origin must name this server.
public enum CSRFCheck: Sendable {
    /// Why a post was refused.
    public enum Verdict: Sendable, Hashable {
        /// The post may act.
        case allowed
        /// The form carried no token.
        case missingToken
        /// The form's token is not the session's.
        case wrongToken
        /// The `Origin` header names another site.
        case foreignOrigin
    }

    /// Checks one post.
    ///
    /// - Parameters:
    ///   - sessionToken: The token the session was given at login.
    ///   - formToken: The `csrf` field of the form, if any.
    ///   - origin: The request's `Origin` header, if the browser sent one.
    ///   - host: The request's `Host` header.
    /// - Returns: ``Verdict/allowed`` or the first reason to refuse.
    public static func verify(sessionToken: String, formToken: String?, origin: String?, host: String?) -> Verdict {
        if let origin, origin != "null" {
            let authority = origin.split(separator: "://", maxSplits: 1).last.map(String.init) ?? origin
            guard let host, authority == host else {
                return .foreignOrigin
            }
        }
        guard let formToken, !formToken.isEmpty else {
            return .missingToken
        }
        return constantTimeEqual(Array(sessionToken.utf8), Array(formToken.utf8)) ? .allowed : .wrongToken
    }

    /// Compares without stopping at the first difference, so the time taken does not tell how
    /// much of a guess was right.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else {
            return false
        }
        var difference: UInt8 = 0
        for index in lhs.indices {
            difference |= lhs[index] ^ rhs[index]
        }
        return difference == 0
    }
}
