// SPDX-License-Identifier: Apache-2.0

/// Why a request was refused; recorded in `tocsin.auth.denied` events.
public enum DenialReason: String, Sendable, Hashable, CaseIterable {
    /// No credential, or a key no identity has.
    case unknownKey = "unknown-key"
    /// The identity was revoked, or the key was rotated out.
    case revoked
    /// The identity or the key is past its expiry.
    case expired
    /// A bearer token that is malformed, badly signed, or for another issuer or audience.
    case badToken = "bad-token"
    /// A client certificate that names no identity.
    case badCertificate = "bad-certificate"
    /// The identity lacks the route's permission (or the request touches the reserved namespace).
    case forbidden
    /// A publisher's event does not match its scope pattern.
    case outOfScope = "out-of-scope"
}
