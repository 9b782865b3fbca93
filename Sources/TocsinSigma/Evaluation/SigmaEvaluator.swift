// SPDX-License-Identifier: Apache-2.0

import TocsinCore
import TocsinRules

/// Evaluates compiled detections against one record.
///
/// Holds the scratch buffers for lower-cased values, so one evaluator serves many records; it is
/// a value type to be kept per task (copying it copies only empty buffers).
struct SigmaEvaluator {
    private var folded: [UInt8] = []
    /// Whether ``folded`` holds the value being tested.
    private var isFolded = false

    mutating func evaluate(_ expression: SigmaExpression, record: JSONValue) -> Bool {
        switch expression {
        case .and(let children):
            for child in children where !evaluate(child, record: record) {
                return false
            }
            return true
        case .or(let children):
            for child in children where evaluate(child, record: record) {
                return true
            }
            return false
        case .not(let child):
            return !evaluate(child, record: record)
        case .field(let predicate):
            return evaluate(predicate, record: record)
        case .keywords(let predicate):
            return evaluate(predicate, record: record)
        }
    }

    private mutating func evaluate(_ predicate: SigmaFieldPredicate, record: JSONValue) -> Bool {
        switch predicate.kind {
        case .exists(let expected):
            return predicate.field.exists(in: record) == expected
        case .null:
            var found = false
            var isNull = false
            predicate.field.forEachNode(in: record) { node in
                found = true
                isNull = SigmaValues.containsNull(node)
                return isNull
            }
            return !found || isNull
        case .values(let tests, let requiresAll, let isNegated):
            if requiresAll {
                for test in tests where !anyValue(of: predicate.field, in: record, passes: [test], isNegated: isNegated)
                {
                    return false
                }
                return true
            }
            return anyValue(of: predicate.field, in: record, passes: tests, isNegated: isNegated)
        }
    }

    /// Whether some value of `field` passes some test (fails it, when negated).
    private mutating func anyValue(
        of field: SigmaFieldPath,
        in record: JSONValue,
        passes tests: [SigmaValueTest],
        isNegated: Bool
    ) -> Bool {
        field.forEachNode(in: record) { node in
            SigmaValues.forEachText(node) { text in
                isFolded = false
                for test in tests where passes(text, test, record: record) != isNegated {
                    return true
                }
                return false
            }
        }
    }

    private mutating func passes(_ text: String, _ test: SigmaValueTest, record: JSONValue) -> Bool {
        switch test {
        case .string(let matcher):
            return matches(text, matcher)
        case .regex(let regex):
            return regex.matches(text)
        case .cidr(let range):
            return IPAddress.parse(text).map { $0.isV6 == range.isV6 && range.contains($0) } ?? false
        case .numeric(let comparison):
            return SigmaNumericComparison.number(text).map(comparison.holds) ?? false
        case .fieldReference(let other, let shape, let isCased):
            let value = isCased ? text : text.lowercased()
            return other.forEachNode(in: record) { node in
                SigmaValues.forEachText(node) { otherText in
                    let reference = isCased ? otherText : otherText.lowercased()
                    switch shape {
                    case .equals: return value.utf8.elementsEqual(reference.utf8)
                    case .prefix: return value.utf8.starts(with: reference.utf8)
                    case .suffix: return value.utf8.reversed().starts(with: reference.utf8.reversed())
                    case .contains:
                        return Array(value.utf8).withUnsafeBufferPointer {
                            SigmaBytes.find(Array(reference.utf8), in: $0, from: 0) != nil
                        }
                    }
                }
            }
        }
    }

    private mutating func matches(_ text: String, _ matcher: SigmaStringMatcher) -> Bool {
        var text = text
        if !matcher.isCased, !isFolded {
            SigmaFolding.fold(text, into: &folded)
            isFolded = true
        }
        return text.withUTF8 { original in
            folded.withUnsafeBufferPointer { folded in
                matcher.matches(original: original, folded: folded)
            }
        }
    }

    private mutating func evaluate(_ predicate: SigmaKeywordPredicate, record: JSONValue) -> Bool {
        if predicate.requiresAll {
            for matcher in predicate.matchers
            where !SigmaValues.forEachScalar(
                record,
                { text in
                    isFolded = false
                    return matches(text, matcher)
                }
            ) {
                return false
            }
            return true
        }
        return SigmaValues.forEachScalar(record) { text in
            isFolded = false
            for matcher in predicate.matchers where matches(text, matcher) {
                return true
            }
            return false
        }
    }
}
