// SPDX-License-Identifier: Apache-2.0

import TocsinCore
import TocsinRules

/// One compiled value test of a field (an element of the field's value list).
enum SigmaValueTest: Sendable {
    /// A plain, `contains`, `startswith` or `endswith` value (with wildcards), or an encoded form.
    case string(SigmaStringMatcher)
    /// `re`: an unanchored search over the value's text.
    case regex(SigmaRegex)
    /// `cidr`: an IP address value inside the block.
    case cidr(IPRange)
    /// `gt`, `gte`, `lt`, `lte`: a numeric comparison.
    case numeric(SigmaNumericComparison)
    /// `fieldref`: compared with the values of another field of the same event.
    case fieldReference(SigmaFieldPath, SigmaFieldReferenceShape, isCased: Bool)
}

/// How a `fieldref` value is compared with the other field's value.
enum SigmaFieldReferenceShape: Sendable, Hashable {
    case equals
    case prefix
    case suffix
    case contains
}

/// A numeric comparison with a rule number.
struct SigmaNumericComparison: Sendable, Hashable {
    enum Operator: Sendable, Hashable {
        case greater
        case greaterOrEqual
        case less
        case lessOrEqual
    }

    let op: Operator
    let operand: Double

    func holds(_ value: Double) -> Bool {
        switch op {
        case .greater: value > operand
        case .greaterOrEqual: value >= operand
        case .less: value < operand
        case .lessOrEqual: value <= operand
        }
    }

    /// A decimal number written as JSON writes one (optionally quoted in the event).
    static func number(_ text: String) -> Double? {
        var digits = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): break
            default: return nil
            }
        }
        guard digits > 0, let value = Double(text), value.isFinite else {
            return nil
        }
        return value
    }
}

/// A field's test: its value list, `null`, or `exists`.
struct SigmaFieldPredicate: Sendable {
    enum Kind: Sendable {
        /// Some value of the field passes some test (`requiresAll`: every test is passed by some value).
        /// With `isNegated` (`neq`), a value passes a test when it is present and does not match it.
        case values([SigmaValueTest], requiresAll: Bool, isNegated: Bool)
        /// `field: null`: the field is absent or `null`.
        case null
        /// `field|exists: true/false`.
        case exists(Bool)
    }

    let field: SigmaFieldPath
    let kind: Kind
}

/// A keyword search: every scalar value of the record (or the raw line) against the keywords.
struct SigmaKeywordPredicate: Sendable {
    let matchers: [SigmaStringMatcher]
    /// `'|all'`: every keyword must occur (each in any value).
    let requiresAll: Bool
}
