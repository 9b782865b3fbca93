// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// One element of a pattern's value list: a literal or an operator, already validated.
///
/// ``matches(_:)`` is the definition of what the element accepts for one event leaf; both the
/// reference matcher and the compiled machine use it (the machine only to confirm candidates).
enum ValueMatcher: Sendable, Hashable {
    case exactString(String)
    case exactNumber(NumberLiteral)
    case exactBool(Bool)
    case exactNull
    /// An IP-literal string or a `cidr`: matches IP strings of the same family in the block.
    case ipRange(IPRange)
    case prefix(String)
    case suffix(String)
    /// `equals-ignore-case`; the operand is stored folded.
    case equalsIgnoreCase(String)
    case prefixIgnoreCase(String)
    case suffixIgnoreCase(String)
    case wildcard(Wildcard)
    case anythingBut(Exclusion)
    case numeric(NumericRange)
    /// `exists`; `exists: false` never matches a leaf (it is satisfied by the absence of leaves).
    case exists(Bool)

    /// What `anything-but` excludes.
    enum Exclusion: Sendable, Hashable {
        case strings(Set<String>)
        case numbers([NumberLiteral])
        case prefixes([String])
        case suffixes([String])
        case ignoreCase([String])
        case wildcards([Wildcard])

        func excludes(_ leaf: JSONValue) -> Bool {
            switch (self, leaf) {
            case (.strings(let values), .string(let value)): values.contains(value)
            case (.numbers(let literals), .number(let number)): literals.contains { $0.matches(number.text) }
            case (.prefixes(let prefixes), .string(let value)): prefixes.contains { value.utf8.starts(with: $0.utf8) }
            case (.suffixes(let suffixes), .string(let value)): suffixes.contains { hasSuffix(value, $0) }
            case (.ignoreCase(let values), .string(let value)):
                values.contains { CaseFolding.equals(value, folded: $0) }
            case (.wildcards(let wildcards), .string(let value)): wildcards.contains { $0.matches(value) }
            default: false
            }
        }
    }

    /// Whether this element accepts the event leaf `leaf` (a string, number, boolean or null).
    func matches(_ leaf: JSONValue) -> Bool {
        switch (self, leaf) {
        case (.exactString(let expected), .string(let value)): value == expected
        case (.exactNumber(let literal), .number(let number)): literal.matches(number.text)
        case (.exactBool(let expected), .bool(let value)): value == expected
        case (.exactNull, .null): true
        case (.ipRange(let range), .string(let value)):
            IPAddress.parse(value, allowsLeadingZeros: true).map(range.contains) ?? false
        case (.prefix(let prefix), .string(let value)): value.utf8.starts(with: prefix.utf8)
        case (.suffix(let suffix), .string(let value)): hasSuffix(value, suffix)
        case (.equalsIgnoreCase(let folded), .string(let value)): CaseFolding.equals(value, folded: folded)
        case (.prefixIgnoreCase(let folded), .string(let value)): CaseFolding.hasPrefix(value, folded: folded)
        case (.suffixIgnoreCase(let folded), .string(let value)): CaseFolding.hasSuffix(value, folded: folded)
        case (.wildcard(let wildcard), .string(let value)): wildcard.matches(value)
        case (.anythingBut(let exclusion), _): !exclusion.excludes(leaf)
        case (.numeric(let range), .number(let number)):
            NumberText.comparableValue(number.text).map(range.contains) ?? false
        case (.exists(let expected), _): expected
        default: false
        }
    }
}

/// Byte-wise suffix test (no grapheme clustering, unlike `String.hasSuffix`).
func hasSuffix(_ value: String, _ suffix: String) -> Bool {
    let valueCount = value.utf8.count
    let suffixCount = suffix.utf8.count
    guard valueCount >= suffixCount else {
        return false
    }
    return value.utf8.dropFirst(valueCount - suffixCount).elementsEqual(suffix.utf8)
}

/// A field path and the value list it must satisfy (elements OR-ed).
struct Condition: Sendable, Hashable {
    /// The path segments (`detail.state.status` is three segments whether written dotted or nested).
    let segments: [String]
    /// The segments joined with `.`.
    let path: String
    let matchers: [ValueMatcher]

    init(segments: [String], matchers: [ValueMatcher]) {
        self.segments = segments
        self.path = segments.joined(separator: ".")
        self.matchers = matchers
    }

    /// Whether the condition holds when the event has no leaf at the path (`exists: false`).
    var allowsAbsence: Bool {
        matchers.contains(.exists(false))
    }

    /// Whether some element accepts `leaf`.
    func matches(_ leaf: JSONValue) -> Bool {
        for matcher in matchers where matcher.matches(leaf) {
            return true
        }
        return false
    }
}

/// One conjunction of conditions; a pattern without `$or` has exactly one.
struct SubRule: Sendable, Hashable {
    let conditions: [Condition]
}
