// SPDX-License-Identifier: Apache-2.0

import TocsinCore
import TocsinRules

/// Compiles one `field|modifiers: values` item: checks the modifier combination, then runs each
/// value through the modifiers left to right.
struct SigmaValueCompiler {
    let options: SigmaCompileOptions
    let logSource: SigmaLogSource

    func compile(_ item: SigmaItem, sink: inout DiagnosticSink) -> SigmaExpression? {
        let field = SigmaFieldPath(options.fieldMapping.map(item.field, logSource: logSource))
        let modifiers = item.modifiers
        var values: [SigmaYAMLNode]
        if case .sequence(let list) = item.value.kind {
            values = list
        } else {
            values = [item.value]
        }
        guard !values.isEmpty else {
            sink.report(
                .invalidValue,
                at: item.value.position,
                "'\(item.field)' has an empty list of values; give at least one"
            )
            return nil
        }
        if let nested = values.first(where: { $0.scalar == nil }) {
            sink.report(
                .invalidValue,
                at: nested.position,
                "values must be strings, numbers, booleans or null, not maps or lists"
            )
            return nil
        }
        if values.count > 1, let null = values.first(where: { $0.scalar == .null }) {
            sink.report(
                .nullInList,
                at: null.position,
                "null cannot be one of several values; put 'field: null' in its own search identifier and combine them with 'or' (or '1 of')"
            )
            return nil
        }
        if modifiers.contains(.all), values.count < 2 {
            sink.report(.allWithSingleValue, at: item.keyPosition, "'all' needs at least two values; remove '|all'")
            return nil
        }
        if values.count == 1, values[0].scalar == .null {
            guard modifiers.isEmpty else {
                sink.report(
                    .invalidModifier,
                    at: item.keyPosition,
                    "null takes no modifiers; write 'field: null' (absent or null) or 'field|exists: false' (absent)"
                )
                return nil
            }
            return .field(SigmaFieldPredicate(field: field, kind: .null))
        }
        if modifiers.contains(.exists) {
            return exists(item, field: field, values: values, sink: &sink)
        }
        guard checkCombination(item, sink: &sink) else {
            return nil
        }
        var tests: [SigmaValueTest] = []
        for value in values {
            guard let compiled = compile(value, item: item, sink: &sink) else {
                return nil
            }
            tests.append(contentsOf: compiled)
        }
        return .field(
            SigmaFieldPredicate(
                field: field,
                kind: .values(tests, requiresAll: modifiers.contains(.all), isNegated: modifiers.contains(.neq))
            )
        )
    }

    private func exists(
        _ item: SigmaItem,
        field: SigmaFieldPath,
        values: [SigmaYAMLNode],
        sink: inout DiagnosticSink
    ) -> SigmaExpression? {
        guard item.modifiers == [.exists] else {
            sink.report(.invalidModifier, at: item.keyPosition, "'exists' cannot be combined with other modifiers")
            return nil
        }
        guard values.count == 1, let flag = Self.bool(values[0].scalar) else {
            sink.report(.invalidValue, at: item.value.position, "'exists' takes true or false")
            return nil
        }
        return .field(SigmaFieldPredicate(field: field, kind: .exists(flag)))
    }

    private static func bool(_ scalar: SigmaYAMLNode.Scalar?) -> Bool? {
        switch scalar {
        case .bool(let flag, _): flag
        case .string(let text) where text.lowercased() == "true": true
        case .string(let text) where text.lowercased() == "false": false
        default: nil
        }
    }

    /// Rejects combinations no value can satisfy or that Sigma does not define.
    private func checkCombination(_ item: SigmaItem, sink: inout DiagnosticSink) -> Bool {
        let modifiers = item.modifiers
        func reject(_ message: String) -> Bool {
            sink.report(.invalidModifier, at: item.keyPosition, message)
            return false
        }
        let shapes = modifiers.filter { $0 == .contains || $0 == .startswith || $0 == .endswith }
        if shapes.count > 1 {
            return reject("use only one of contains, startswith and endswith (a value with wildcards says more)")
        }
        let numeric = modifiers.filter { [.gt, .gte, .lt, .lte].contains($0) }
        let kinds = [
            modifiers.contains(.re), modifiers.contains(.cidr), !numeric.isEmpty, modifiers.contains(.fieldref),
        ]
        if numeric.count > 1 || kinds.count(where: { $0 }) > 1 {
            return reject("re, cidr, fieldref and gt/gte/lt/lte each define the whole comparison; use one of them")
        }
        if modifiers.contains(where: \.isRegexFlag), !modifiers.contains(.re) {
            return reject("the i, m and s flags only apply to 're'; add '|re' before them")
        }
        let general: Set<SigmaModifier> = [.all, .neq]
        if modifiers.contains(.re) {
            let allowed = general.union([.re, .ignoreCase, .multiline, .dotAll])
            if let other = modifiers.first(where: { !allowed.contains($0) }) {
                return reject(
                    "'re' cannot be combined with '\(other.rawValue)'; write the regular expression to cover it"
                )
            }
        }
        if modifiers.contains(.cidr) || !numeric.isEmpty {
            let allowed = general.union([.cidr]).union(numeric)
            if let other = modifiers.first(where: { !allowed.contains($0) }) {
                return reject(
                    "'\(modifiers.contains(.cidr) ? "cidr" : numeric[0].rawValue)' cannot be combined with '\(other.rawValue)'"
                )
            }
        }
        if modifiers.contains(.fieldref) {
            let allowed = general.union([.fieldref, .contains, .startswith, .endswith, .cased])
            if let other = modifiers.first(where: { !allowed.contains($0) }) {
                return reject(
                    "'fieldref' can only be combined with contains, startswith, endswith, cased, all and neq, not '\(other.rawValue)'"
                )
            }
        }
        return true
    }

    /// The tests one value becomes (several for placeholders and base64offset).
    private func compile(_ value: SigmaYAMLNode, item: SigmaItem, sink: inout DiagnosticSink) -> [SigmaValueTest]? {
        guard let text = value.text else {
            sink.report(.invalidValue, at: value.position, "a value is missing; give a string or a number")
            return nil
        }
        let modifiers = item.modifiers
        if modifiers.contains(.re) {
            return regex(text, value: value, modifiers: modifiers, sink: &sink).map { [$0] }
        }
        if modifiers.contains(.cidr) {
            switch IPRange.parseCIDR(text, allowsSingleAddress: true) {
            case .success(let range): return [.cidr(range)]
            case .failure(let problem):
                sink.report(
                    .invalidValue,
                    at: value.position,
                    "'cidr' needs an IPv4 or IPv6 block such as 10.0.0.0/8: \(problem.message)"
                )
                return nil
            }
        }
        if let op = modifiers.lazy.compactMap(Self.numericOperator).first {
            guard let number = SigmaNumericComparison.number(text) else {
                sink.report(
                    .invalidValue,
                    at: value.position,
                    "'\(modifiers.first { Self.numericOperator($0) != nil }?.rawValue ?? "gt")' needs a number"
                )
                return nil
            }
            return [.numeric(SigmaNumericComparison(op: op, operand: number))]
        }
        if modifiers.contains(.fieldref) {
            let shape: SigmaFieldReferenceShape =
                modifiers.contains(.contains)
                ? .contains
                : modifiers.contains(.startswith) ? .prefix : modifiers.contains(.endswith) ? .suffix : .equals
            let other = SigmaFieldPath(options.fieldMapping.map(text, logSource: logSource))
            return [.fieldReference(other, shape, isCased: modifiers.contains(.cased))]
        }
        guard let strings = SigmaStringPipeline(options: options).run(text, value: value, item: item, sink: &sink)
        else {
            return nil
        }
        let isCased = modifiers.contains(.cased)
        return strings.map { .string(SigmaStringMatcher($0, isCased: isCased)) }
    }

    private static func numericOperator(_ modifier: SigmaModifier) -> SigmaNumericComparison.Operator? {
        switch modifier {
        case .gt: .greater
        case .gte: .greaterOrEqual
        case .lt: .less
        case .lte: .lessOrEqual
        default: nil
        }
    }

    private func regex(
        _ pattern: String,
        value: SigmaYAMLNode,
        modifiers: [SigmaModifier],
        sink: inout DiagnosticSink
    ) -> SigmaValueTest? {
        var regexOptions = BoundedRegex.Options()
        regexOptions.caseInsensitive = modifiers.contains(.ignoreCase)
        regexOptions.multiline = modifiers.contains(.multiline)
        regexOptions.dotMatchesNewline = modifiers.contains(.dotAll)
        do {
            return .regex(SigmaRegex(regex: try BoundedRegex(pattern, options: regexOptions)))
        } catch {
            let column = value.position.column + (value.isQuoted ? 1 : 0) + error.offset
            sink.report(
                .invalidRegex,
                at: SourcePosition(line: value.position.line, column: column),
                "invalid or unsupported regular expression: \(error.message)"
            )
            return nil
        }
    }
}
