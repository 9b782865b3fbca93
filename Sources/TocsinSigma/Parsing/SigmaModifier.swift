// SPDX-License-Identifier: Apache-2.0

/// A value modifier (`field|contains|all`), with the pySigma aliases accepted as synonyms.
enum SigmaModifier: String, Sendable, Hashable, CaseIterable {
    case contains
    case startswith
    case endswith
    case all
    case exists
    case cased
    case neq
    case windash
    case re
    case ignoreCase = "i"
    case multiline = "m"
    case dotAll = "s"
    case base64
    case base64offset
    case utf16le
    case utf16be
    case utf16
    case cidr
    case gt
    case gte
    case lt
    case lte
    case expand
    case fieldref

    /// Reads a modifier name; `wide` is `utf16le`, `ignorecase`/`multiline`/`dotall` are the regex flags.
    init?(name: String) {
        switch name {
        case "wide": self = .utf16le
        case "ignorecase": self = .ignoreCase
        case "multiline": self = .multiline
        case "dotall": self = .dotAll
        default:
            guard let modifier = SigmaModifier(rawValue: name) else {
                return nil
            }
            self = modifier
        }
    }

    /// The names listed in the diagnostic for an unknown modifier.
    static let supportedNames =
        "contains, startswith, endswith, all, exists, cased, neq, windash, re (with i, m, s), base64, base64offset, "
        + "utf16le (wide), utf16be, utf16, cidr, gt, gte, lt, lte, expand, fieldref"

    /// Whether this modifier is a regular-expression flag.
    var isRegexFlag: Bool {
        self == .ignoreCase || self == .multiline || self == .dotAll
    }

    /// Whether this modifier turns text into bytes or encoded text.
    var isEncoding: Bool {
        switch self {
        case .base64, .base64offset, .utf16le, .utf16be, .utf16: true
        default: false
        }
    }
}
