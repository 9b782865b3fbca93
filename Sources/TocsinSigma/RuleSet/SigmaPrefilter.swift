// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// Derives from a detection a necessary condition that the rule set can check cheaply.
///
/// The result is a disjunction: whenever the detection holds, some field alternative holds (a
/// field has a value that the alternative's pattern values accept) or some keyword needle occurs
/// in a value of the record. It may accept far more than the detection (it is only a filter); it
/// must never miss a match. Hence only tests that can succeed on string values alone are used.
enum SigmaPrefilter {
    /// One alternative: a field and pattern values (OR-ed), as pattern JSON.
    struct Alternative: Equatable {
        var field: SigmaFieldPath
        var values: [JSONValue]

        /// Lower is more selective: exact values first, then fewer values.
        var cost: Int {
            let inexact = values.contains { if case .object = $0 { $0["equals-ignore-case"] == nil } else { false } }
            return (inexact ? 10_000 : 0) + values.count
        }
    }

    /// A disjunction of clauses and keyword needles (lower-cased literals).
    ///
    /// A clause is a conjunction of field alternatives on fields that share no path prefix.
    struct Requirement {
        var clauses: [[Alternative]] = []
        var needles: [[UInt8]] = []

        var cost: Int {
            let clauseCost = clauses.reduce(0) { total, clause in
                total + (clause.map(\.cost).min() ?? 0) / clause.count
            }
            return clauseCost + max(0, clauses.count - 1) * 100 + needles.count * 1_000
        }
    }

    /// The requirement the expression implies, or `nil` when no usable necessary condition exists.
    static func requirement(_ expression: SigmaExpression) -> Requirement? {
        switch expression {
        case .field(let predicate):
            return alternative(predicate).map { Requirement(clauses: [[$0]]) }
        case .keywords(let predicate):
            return needles(predicate).map { Requirement(needles: $0) }
        case .not:
            return nil
        case .or(let children):
            var result = Requirement()
            for child in children {
                guard let requirement = requirement(child) else {
                    return nil
                }
                for clause in requirement.clauses {
                    merge(clause, into: &result.clauses)
                }
                result.needles += requirement.needles.filter { !result.needles.contains($0) }
            }
            return result
        case .and(let children):
            let requirements = children.compactMap(requirement)
            let best = requirements.min { $0.cost < $1.cost }
            // Field tests of one conjunction on unrelated fields (no shared path prefix, so no shared
            // array) can be required together: a more selective pattern than any one of them.
            var conjunction: [Alternative] = []
            for requirement in requirements where requirement.needles.isEmpty && requirement.clauses.count == 1 {
                for alternative in requirement.clauses[0]
                where !conjunction.contains(where: { $0.field.segments[0] == alternative.field.segments[0] }) {
                    conjunction.append(alternative)
                }
            }
            if conjunction.count > 1 {
                return Requirement(clauses: [conjunction])
            }
            return best
        }
    }

    /// Adds a clause to a disjunction, folding single-field clauses on the same field into one.
    private static func merge(_ clause: [Alternative], into clauses: inout [[Alternative]]) {
        if clause.count == 1,
            let index = clauses.firstIndex(where: { $0.count == 1 && $0[0].field == clause[0].field })
        {
            clauses[index][0].values += clause[0].values.filter { !clauses[index][0].values.contains($0) }
        } else {
            clauses.append(clause)
        }
    }

    /// The needles of a keyword search: one per keyword (the longest one for `|all`).
    private static func needles(_ predicate: SigmaKeywordPredicate) -> [[UInt8]]? {
        let needles = predicate.matchers.map(needle)
        if predicate.requiresAll {
            return needles.compactMap { $0 }.max { $0.count < $1.count }.map { [$0] }
        }
        let all = needles.compactMap { $0 }
        return all.count == needles.count ? all : nil
    }

    /// The longest literal run a keyword requires, when it has two bytes or more.
    private static func needle(_ matcher: SigmaStringMatcher) -> [UInt8]? {
        var runs: [[UInt8]] = []
        switch matcher.shape {
        case .exact(let bytes), .prefix(let bytes), .suffix(let bytes), .contains(let bytes):
            runs = [bytes]
        case .glob(let tokens):
            runs = tokens.compactMap { if case .literal(let bytes) = $0 { bytes } else { nil } }
        }
        return runs.max { $0.count < $1.count }.flatMap { $0.count >= 2 ? $0 : nil }
    }

    private static func alternative(_ predicate: SigmaFieldPredicate) -> Alternative? {
        guard case .values(let tests, let requiresAll, let isNegated) = predicate.kind, !isNegated,
            !predicate.field.segments.contains(where: \.isEmpty)
        else {
            return nil
        }
        let values = tests.map(patternValues)
        if requiresAll {
            return values.compactMap { $0 }.first.map { Alternative(field: predicate.field, values: $0) }
        }
        let all = values.compactMap { $0 }
        guard all.count == values.count else {
            return nil
        }
        var union: [JSONValue] = []
        for value in all.joined() where !union.contains(value) {
            union.append(value)
        }
        return Alternative(field: predicate.field, values: union)
    }

    /// The pattern values accepting every value the test accepts: the value's own pattern when the
    /// test can only succeed on a string, or for a plain decimal number (`403`), the string and the
    /// numeric equality (a JSON number compares by its text, which equal numbers may spell differently;
    /// the pattern may accept more, never less).
    private static func patternValues(_ test: SigmaValueTest) -> [JSONValue]? {
        if case .string(let matcher) = test, case .exact(let bytes) = matcher.shape, isPlainDecimal(bytes) {
            let text = String(decoding: bytes, as: UTF8.self)
            let numeric = JSONObject([
                .init(name: "numeric", value: .array([.string("="), .number(JSONNumber(text: text))]))
            ])
            return [operand(bytes, matcher.isCased, kind: nil), .object(numeric)]
        }
        return patternValue(test).map { [$0] }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?`: JSON number text without an exponent.
    private static func isPlainDecimal(_ bytes: [UInt8]) -> Bool {
        var digits = bytes[...]
        if digits.first == UInt8(ascii: "-") {
            digits = digits.dropFirst()
        }
        let parts = digits.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        let isDigit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(isDigit) }) else {
            return false
        }
        return parts[0].count == 1 || parts[0].first != UInt8(ascii: "0")
    }

    /// The pattern value accepting every string the test accepts, when the test can only succeed on
    /// a string value (never on the text of a number, boolean or object).
    private static func patternValue(_ test: SigmaValueTest) -> JSONValue? {
        guard case .string(let matcher) = test else {
            return nil
        }
        switch matcher.shape {
        case .exact(let bytes):
            return safeStart(bytes, matcher.isCased) && !isScalarWord(bytes, matcher.isCased)
                ? operand(bytes, matcher.isCased, kind: nil) : nil
        case .prefix(let bytes):
            return safeStart(bytes, matcher.isCased) ? operand(bytes, matcher.isCased, kind: "prefix") : nil
        case .suffix(let bytes):
            return safeEnd(bytes, matcher.isCased) ? operand(bytes, matcher.isCased, kind: "suffix") : nil
        case .contains:
            return nil
        case .glob(let tokens):
            if case .literal(let bytes)? = tokens.first, safeStart(bytes, matcher.isCased) {
                return operand(bytes, matcher.isCased, kind: "prefix")
            }
            if case .literal(let bytes)? = tokens.last, safeEnd(bytes, matcher.isCased) {
                return operand(bytes, matcher.isCased, kind: "suffix")
            }
            return nil
        }
    }

    private static let scalarWords = ["true", "false", "null"].map { Array($0.utf8) }

    private static func isScalarWord(_ bytes: [UInt8], _ isCased: Bool) -> Bool {
        let folded = isCased ? bytes.map { $0 &- UInt8(ascii: "A") < 26 ? $0 | 0x20 : $0 } : bytes
        return scalarWords.contains(folded)
    }

    /// Whether no number, boolean, null or JSON object/array text can start with `bytes`.
    private static func safeStart(_ bytes: [UInt8], _ isCased: Bool) -> Bool {
        guard let first = bytes.first else {
            return true
        }
        if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) || first == UInt8(ascii: "-")
            || first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
        {
            return false
        }
        let folded = bytes.map { $0 &- UInt8(ascii: "A") < 26 ? $0 | 0x20 : $0 }
        return !scalarWords.contains { $0.starts(with: folded) || folded.starts(with: $0) }
    }

    /// Whether no number, boolean, null or JSON object/array text can end with `bytes`.
    private static func safeEnd(_ bytes: [UInt8], _ isCased: Bool) -> Bool {
        guard let last = bytes.last else {
            return false
        }
        if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(last) || last == UInt8(ascii: "}")
            || last == UInt8(ascii: "]")
        {
            return false
        }
        let folded = bytes.map { $0 &- UInt8(ascii: "A") < 26 ? $0 | 0x20 : $0 }
        return !scalarWords.contains {
            $0.reversed().starts(with: folded.reversed()) || folded.reversed().starts(with: $0.reversed())
        }
    }

    private static func operand(_ bytes: [UInt8], _ isCased: Bool, kind: String?) -> JSONValue {
        let text = JSONValue.string(String(decoding: bytes, as: UTF8.self))
        let value: JSONValue = isCased ? text : .object(JSONObject([.init(name: "equals-ignore-case", value: text)]))
        guard let kind else {
            return value
        }
        return .object(JSONObject([.init(name: kind, value: value)]))
    }
}
