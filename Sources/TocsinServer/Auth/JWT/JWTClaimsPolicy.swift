// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// The checks on the claims of a token whose signature has verified: issuer, audience, expiry
/// and not-before with skew, the subject, and the roles.
///
/// Pure: the time is a parameter (Unix milliseconds).
struct JWTClaimsPolicy: Sendable {
    /// What a valid token grants.
    struct Grant: Sendable, Hashable {
        /// The `sub` claim.
        var subject: String
        /// The Tocsin roles it names.
        var roles: Set<Role>
    }

    /// Why the claims were refused; logged at debug level, never with claim values.
    enum Refusal: String, Sendable, Hashable, Error {
        case notAnObject = "payload-not-an-object"
        case wrongIssuer = "wrong-issuer"
        case wrongAudience = "wrong-audience"
        case missingExpiry = "missing-exp"
        case expired
        case notYetValid = "not-yet-valid"
        case badSubject = "bad-sub"
    }

    /// The longest `sub` accepted, in UTF-8 bytes.
    static let maxSubjectBytes = 255

    let issuer: String
    let audience: String
    let rolesClaim: String
    let skewMilliseconds: Int64

    init(_ configuration: JWTConfiguration) {
        issuer = configuration.issuer
        audience = configuration.audience
        rolesClaim = configuration.rolesClaim
        skewMilliseconds = configuration.clockSkewMilliseconds
    }

    /// The subject of `claims` when it is usable as a name, else `nil`.
    static func subject(_ claims: JSONValue) -> String? {
        guard let subject = claims["sub"]?.stringValue, (1...maxSubjectBytes).contains(subject.utf8.count),
            subject.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F })
        else {
            return nil
        }
        return subject
    }

    /// Checks `claims` at `now`.
    func check(_ claims: JSONValue, now: Int64) -> Result<Grant, Refusal> {
        guard case .object = claims else {
            return .failure(.notAnObject)
        }
        guard claims["iss"]?.stringValue == issuer else {
            return .failure(.wrongIssuer)
        }
        switch claims["aud"] {
        case .string(let value)? where value == audience:
            break
        case .array(let values)? where values.contains(.string(audience)):
            break
        default:
            return .failure(.wrongAudience)
        }
        guard let expiry = Self.milliseconds(claims["exp"]) else {
            return .failure(.missingExpiry)
        }
        guard now < expiry.addingReportingOverflow(skewMilliseconds).partialValue else {
            return .failure(.expired)
        }
        if let notBefore = claims["nbf"] {
            guard let start = Self.milliseconds(notBefore), now >= start - skewMilliseconds else {
                return .failure(.notYetValid)
            }
        }
        guard let subject = Self.subject(claims) else {
            return .failure(.badSubject)
        }
        return .success(Grant(subject: subject, roles: roles(claims)))
    }

    /// The Tocsin roles the token names in the roles claim, `scope` or `scp`.
    func roles(_ claims: JSONValue) -> Set<Role> {
        var names: [String] = []
        for value in [lookUp(rolesClaim, in: claims), claims["scope"], claims["scp"]] {
            switch value {
            case .string(let text)?:
                names += text.split(separator: " ").map(String.init)
            case .array(let values)?:
                names += values.compactMap(\.stringValue)
            default:
                continue
            }
        }
        return Set(names.compactMap(Role.init(rawValue:)))
    }

    private func lookUp(_ claim: String, in claims: JSONValue) -> JSONValue? {
        if let value = claims[claim] {
            return value
        }
        var value: JSONValue? = claims
        for part in claim.split(separator: ".", omittingEmptySubsequences: false) {
            value = value?[String(part)]
        }
        return value
    }

    /// A NumericDate (seconds since the epoch, possibly fractional) in milliseconds.
    private static func milliseconds(_ value: JSONValue?) -> Int64? {
        guard case .number(let number)? = value else {
            return nil
        }
        if let seconds = number.int64Value {
            return (0...9_999_999_999).contains(seconds) ? seconds * 1000 : nil
        }
        guard let seconds = number.doubleValue, seconds.isFinite, (0...9_999_999_999).contains(seconds) else {
            return nil
        }
        return Int64(seconds * 1000)
    }
}
