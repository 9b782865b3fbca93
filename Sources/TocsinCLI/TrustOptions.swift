// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import TocsinConfig
import TocsinCore
import TocsinRuntime
import TocsinServer

/// The `tocsin serve` options for HTTPS, mutual TLS and JWT bearer tokens.
struct TrustOptions: ParsableArguments {
    @Option(
        name: .customLong("tls-cert"),
        help: ArgumentHelp("Serve HTTPS with this PEM certificate chain (env TOCSIN_TLS_CERT).", valueName: "file")
    )
    var tlsCertificate: String?

    @Option(
        name: .customLong("tls-key"),
        help: ArgumentHelp("The PEM private key of --tls-cert (env TOCSIN_TLS_KEY).", valueName: "file")
    )
    var tlsKey: String?

    @Option(
        name: .customLong("client-ca"),
        help: ArgumentHelp(
            "Require client certificates chained to these PEM CA certificates; a certificate whose CN or DNS/URI SAN equals an identity's certificate_cn authenticates as it (env TOCSIN_CLIENT_CA; needs --tls-cert).",
            valueName: "file"
        )
    )
    var clientCA: String?

    @Option(
        name: .customLong("jwt-issuer"),
        help: ArgumentHelp(
            "Accept JWT bearer tokens with exactly this iss (env TOCSIN_JWT_ISSUER; needs --jwt-audience and a JWKS).",
            valueName: "url"
        )
    )
    var jwtIssuer: String?

    @Option(
        name: .customLong("jwt-audience"),
        help: ArgumentHelp("The aud JWT bearer tokens must contain (env TOCSIN_JWT_AUDIENCE).", valueName: "name")
    )
    var jwtAudience: String?

    @Option(
        name: .customLong("jwks-file"),
        help: ArgumentHelp(
            "The identity provider's JWKS, re-read on an unknown kid at most once a minute (env TOCSIN_JWKS_FILE).",
            valueName: "file"
        )
    )
    var jwksFile: String?

    @Option(
        name: .customLong("jwks-url"),
        help: ArgumentHelp(
            "The identity provider's jwks_uri (https), refetched on an unknown kid at most once a minute (env TOCSIN_JWKS_URL).",
            valueName: "url"
        )
    )
    var jwksURL: String?

    @Option(
        name: .customLong("jwt-roles-claim"),
        help: ArgumentHelp(
            "The token claim holding role names, an array or a space-separated string (env TOCSIN_JWT_ROLES_CLAIM; default roles; scope is read too).",
            valueName: "claim"
        )
    )
    var jwtRolesClaim: String?

    @Option(
        name: .customLong("jwt-role-scope"),
        help: ArgumentHelp(
            "An event pattern limiting what tokens with ROLE may publish, e.g. publisher='{\"source\":[{\"prefix\":\"/okta/\"}]}'; repeatable (env TOCSIN_JWT_ROLE_SCOPES: a JSON object of role to pattern).",
            valueName: "role=pattern"
        )
    )
    var jwtRoleScopes: [String] = []

    /// Validates the combination and sets the TLS and JWT settings of `configuration`.
    func apply(to configuration: inout RuntimeConfiguration, settings: ServeSettings) throws {
        configuration.server.tls = try tlsSettings(settings)
        configuration.jwt = try jwtSettings(settings)
        if !configuration.server.requiresAuthentication,
            configuration.jwt != nil || configuration.server.tls?.clientCAPath != nil
        {
            throw ValidationError(
                "--insecure-no-auth turns authentication off, so --jwt-* and --client-ca would have no effect; drop one or the other"
            )
        }
    }

    private func tlsSettings(_ settings: ServeSettings) throws -> TLSSettings? {
        let certificate = settings.text(.tlsCertificate, tlsCertificate)
        let key = settings.text(.tlsKey, tlsKey)
        let clientCA = settings.text(.clientCA, clientCA)
        switch (certificate, key) {
        case (let certificate?, let key?):
            return TLSSettings(certificateChainPath: certificate, privateKeyPath: key, clientCAPath: clientCA)
        case (nil, nil):
            guard clientCA == nil else {
                throw ValidationError("--client-ca needs HTTPS: add --tls-cert FILE and --tls-key FILE")
            }
            return nil
        case (nil, _?):
            throw ValidationError("--tls-key needs --tls-cert (the PEM certificate chain of that key)")
        case (_?, nil):
            throw ValidationError("--tls-cert needs --tls-key (the PEM private key of that certificate)")
        }
    }

    private func jwtSettings(_ settings: ServeSettings) throws -> RuntimeConfiguration.JWTSettings? {
        let issuer = settings.text(.jwtIssuer, jwtIssuer)
        let audience = settings.text(.jwtAudience, jwtAudience)
        let file = settings.text(.jwksFile, jwksFile)
        let url = settings.text(.jwksURL, jwksURL)
        let claim = settings.text(.jwtRolesClaim, jwtRolesClaim)
        let scopes = try roleScopes(settings)
        guard issuer != nil || audience != nil || file != nil || url != nil || claim != nil || !scopes.isEmpty else {
            return nil
        }
        let needed = "JWT bearer tokens need --jwt-issuer, --jwt-audience and one of --jwks-file or --jwks-url"
        guard let issuer, !issuer.isEmpty else {
            throw ValidationError("\(needed): --jwt-issuer is missing")
        }
        guard let audience, !audience.isEmpty else {
            throw ValidationError("\(needed): --jwt-audience is missing")
        }
        let keys: RuntimeConfiguration.JWTSettings.Keys
        switch (file, url) {
        case (let file?, nil):
            keys = .file(file)
        case (nil, let url?):
            guard Self.isAllowedJWKSURL(url) else {
                throw ValidationError(
                    "--jwks-url must be an https:// URL (http:// only on a loopback host, for development)"
                )
            }
            keys = .url(url)
        case (nil, nil):
            throw ValidationError("\(needed): add --jwks-file FILE or --jwks-url URL")
        case (_?, _?):
            throw ValidationError("--jwks-file and --jwks-url are alternatives; give one")
        }
        var configuration = JWTConfiguration(issuer: issuer, audience: audience)
        if let claim {
            guard !claim.isEmpty else {
                throw ValidationError("--jwt-roles-claim must name a claim")
            }
            configuration.rolesClaim = claim
        }
        configuration.roleScopes = scopes
        return .init(configuration: configuration, keys: keys)
    }

    /// `--jwt-role-scope ROLE=PATTERN` options, the `TOCSIN_JWT_ROLE_SCOPES` object, or the
    /// file's `jwt_role_scope` mapping.
    private func roleScopes(_ settings: ServeSettings) throws -> [Role: JSONValue] {
        var pairs: [(String, JSONValue)] = []
        let resolved = settings.resolve(.jwtRoleScopes, flag: jwtRoleScopes)
        var options = resolved?.values ?? []
        if case .environment? = resolved?.source {
            options = []
            guard case .object(let object)? = try? JSONParser().parse(resolved?.text ?? "") else {
                throw ValidationError(
                    "TOCSIN_JWT_ROLE_SCOPES must be a JSON object of role to event pattern, e.g. {\"publisher\":{\"source\":[{\"prefix\":\"/okta/\"}]}}"
                )
            }
            pairs = object.members.map { ($0.name, $0.value) }
        }
        for option in options {
            guard let equals = option.firstIndex(of: "=") else {
                throw ValidationError(
                    "--jwt-role-scope must be ROLE=PATTERN_JSON, e.g. publisher='{\"source\":[\"/okta\"]}'"
                )
            }
            let text = String(option[option.index(after: equals)...])
            guard let pattern = try? JSONParser().parse(text) else {
                throw ValidationError("--jwt-role-scope \(option[..<equals])=…: the pattern is not valid JSON")
            }
            pairs.append((String(option[..<equals]), pattern))
        }
        var scopes: [Role: JSONValue] = [:]
        for (name, pattern) in pairs {
            guard let role = Role(rawValue: name) else {
                throw ValidationError("--jwt-role-scope \(name)=…: not a role; the roles are \(Role.names)")
            }
            guard scopes[role] == nil else {
                throw ValidationError(
                    "--jwt-role-scope \(name) is given twice; give one pattern per role (use $or inside it)"
                )
            }
            scopes[role] = pattern
        }
        return scopes
    }

    static func isAllowedJWKSURL(_ text: String) -> Bool {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), let host = url.host,
            !host.isEmpty
        else {
            return false
        }
        return scheme == "https" || (scheme == "http" && RuntimeConfiguration.isLoopback(host))
    }
}
