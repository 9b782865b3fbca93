// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// Derives from a detection a necessary condition that event patterns can express.
///
/// The result is a disjunction of (field, value list) alternatives: whenever the detection holds,
/// some alternative's field has a value that the alternative's pattern values accept. It may
/// accept far more than the detection (it is only a filter); it must never miss a match. Hence
/// only tests that can succeed on string values alone are used, and only fields without dots
/// (a record may spell a dotted field as one member name, which patterns cannot express).
enum SigmaPrefilter {
    /// One alternative: a top-level field and pattern values (OR-ed), as pattern JSON.
    struct Alternative: Equatable {
        var field: String
        var values: [JSONValue]

        /// Lower is more selective: exact values first, then fewer values.
        var cost: Int {
            let inexact = values.contains { if case .object = $0 { $0["equals-ignore-case"] == nil } else { false } }
            return (inexact ? 10_000 : 0) + values.count
        }
    }

    /// The alternatives the expression implies, or `nil` when no usable necessary condition exists.
    static func alternatives(_ expression: SigmaExpression) -> [Alternative]? {
        switch expression {
        case .field(let predicate):
            return alternatives(predicate).map { [$0] }
        case .keywords, .not:
            return nil
        case .or(let children):
            var result: [Alternative] = []
            for child in children {
                guard let alternatives = alternatives(child) else {
                    return nil
                }
                for alternative in alternatives {
                    if let index = result.firstIndex(where: { $0.field == alternative.field }) {
                        result[index].values += alternative.values.filter { !result[index].values.contains($0) }
                    } else {
                        result.append(alternative)
                    }
                }
            }
            return result
        case .and(let children):
            let options = children.compactMap(alternatives)
            return options.min { cost($0) < cost($1) }
        }
    }

    private static func cost(_ alternatives: [Alternative]) -> Int {
        alternatives.reduce(0) { $0 + $1.cost } + (alternatives.count - 1) * 100
    }

    private static func alternatives(_ predicate: SigmaFieldPredicate) -> Alternative? {
        guard case .values(let tests, let requiresAll, let isNegated) = predicate.kind, !isNegated,
            predicate.field.segments.count == 1
        else {
            return nil
        }
        let values = tests.map(patternValue)
        if requiresAll {
            return values.compactMap { $0 }.first.map { Alternative(field: predicate.field.name, values: [$0]) }
        }
        let all = values.compactMap { $0 }
        guard all.count == values.count else {
            return nil
        }
        return Alternative(field: predicate.field.name, values: all)
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
