// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// Settings of JWT bearer tokens (OAuth 2.0 access tokens) from an identity provider.
///
/// The keys come from a JWKS (``JWKSFetching``); everything else a token must satisfy is here.
public struct JWTConfiguration: Sendable {
    /// The exact `iss` every token must carry (`https://id.example.com/`).
    public var issuer: String
    /// The value the token's `aud` (a string, or an array of strings) must contain.
    public var audience: String
    /// The claim that holds role names: an array of strings or one space-separated string.
    ///
    /// A name with dots that is not a top-level claim is read as a path (`realm_access.roles`).
    /// The standard `scope` (space-separated) and `scp` claims are read too; names that are not
    /// Tocsin roles are ignored. Default `roles`.
    public var rolesClaim: String = "roles"
    /// An event pattern (as JSON) per role: what a token holding the role may publish.
    ///
    /// Only roles that may publish (`publisher`, `admin`) take one. A token with several
    /// publishing roles may publish what any of them allows; an unscoped one allows everything.
    public var roleScopes: [Role: JSONValue] = [:]
    /// How far `exp` and `nbf` may be off, in milliseconds.
    ///
    /// Default 60 s.
    public var clockSkewMilliseconds: Int64 = 60_000
    /// The shortest time between two JWKS refreshes caused by tokens with an unknown `kid`, in
    /// milliseconds.
    ///
    /// Default 60 s.
    public var refreshIntervalMilliseconds: Int64 = 60_000
    /// The longest token accepted, in bytes; longer ones are refused unread.
    ///
    /// Default 8 KiB.
    public var maxTokenBytes: Int = 8 * 1024

    /// The prefix of the principal name of a token: `jwt:<sub>`.
    public static let principalPrefix = "jwt:"

    /// Creates the settings for tokens from `issuer` meant for `audience`.
    public init(issuer: String, audience: String) {
        self.issuer = issuer
        self.audience = audience
    }
}
