// SPDX-License-Identifier: Apache-2.0

import TocsinCore
import TocsinRules

/// Compiles the search identifiers of a `detection` into expressions, reporting every problem.
struct SigmaDetectionCompiler {
    let options: SigmaCompileOptions
    let logSource: SigmaLogSource

    /// The expression of one search identifier, or `nil` after reporting why it cannot be compiled.
    func compile(identifier node: SigmaYAMLNode, sink: inout DiagnosticSink) -> SigmaExpression? {
        switch node.kind {
        case .mapping(let members):
            return compile(map: members, at: node.position, sink: &sink)
        case .sequence(let elements):
            guard !elements.isEmpty else {
                sink.report(
                    .structure,
                    at: node.position,
                    "a search identifier's list is empty; give values or remove it"
                )
                return nil
            }
            if elements.allSatisfy({ $0.scalar != nil }) {
                return keywords(elements, requiresAll: false, at: node.position, sink: &sink)
            }
            var alternatives: [SigmaExpression] = []
            var failed = false
            for element in elements {
                switch element.kind {
                case .mapping(let members):
                    if let expression = compile(map: members, at: element.position, sink: &sink) {
                        alternatives.append(expression)
                    } else {
                        failed = true
                    }
                case .scalar:
                    if let expression = keywords([element], requiresAll: false, at: element.position, sink: &sink) {
                        alternatives.append(expression)
                    } else {
                        failed = true
                    }
                case .sequence:
                    sink.report(
                        .structure,
                        at: element.position,
                        "a list inside a search identifier's list is not valid; use maps (field: value) or keywords"
                    )
                    failed = true
                }
            }
            return failed ? nil : .or(alternatives)
        case .scalar:
            return keywords([node], requiresAll: false, at: node.position, sink: &sink)
        }
    }

    private func compile(
        map members: [SigmaYAMLNode.Member],
        at position: SourcePosition,
        sink: inout DiagnosticSink
    ) -> SigmaExpression? {
        guard !members.isEmpty else {
            sink.report(.structure, at: position, "a search identifier's map is empty; give field: value entries")
            return nil
        }
        var conjuncts: [SigmaExpression] = []
        var failed = false
        for member in members {
            if let expression = compile(item: member, sink: &sink) {
                conjuncts.append(expression)
            } else {
                failed = true
            }
        }
        return failed ? nil : (conjuncts.count == 1 ? conjuncts[0] : .and(conjuncts))
    }

    /// The position of the `index`-th `|`-separated part of a key.
    private func position(ofPart index: Int, in parts: [Substring], key: SourcePosition) -> SourcePosition {
        let offset = parts.prefix(index).reduce(0) { $0 + $1.count + 1 }
        return SourcePosition(line: key.line, column: key.column + offset)
    }

    private func compile(item member: SigmaYAMLNode.Member, sink: inout DiagnosticSink) -> SigmaExpression? {
        let parts = member.key.split(separator: "|", omittingEmptySubsequences: false)
        var modifiers: [SigmaModifier] = []
        var failed = false
        for (index, name) in parts.enumerated().dropFirst() {
            guard let modifier = SigmaModifier(name: String(name)) else {
                sink.report(
                    .unknownModifier,
                    at: position(ofPart: index, in: parts, key: member.keyPosition),
                    "unknown modifier '\(name)'; use one of \(SigmaModifier.supportedNames)"
                )
                failed = true
                continue
            }
            modifiers.append(modifier)
        }
        guard !failed else {
            return nil
        }
        let field = String(parts[0])
        let item = SigmaItem(
            field: field,
            modifiers: modifiers,
            keyPosition: member.keyPosition,
            value: member.value
        )
        if field.isEmpty {
            return keywordItem(item, sink: &sink)
        }
        return SigmaValueCompiler(options: options, logSource: logSource).compile(item, sink: &sink)
    }

    /// `'|all': [...]` (or `'': [...]`): keywords given as a map entry with an empty field name.
    private func keywordItem(_ item: SigmaItem, sink: inout DiagnosticSink) -> SigmaExpression? {
        if let other = item.modifiers.first(where: { $0 != .all }) {
            sink.report(
                .invalidModifier,
                at: item.keyPosition,
                "keywords (an empty field name) take only the 'all' modifier, not '\(other.rawValue)'"
            )
            return nil
        }
        let elements: [SigmaYAMLNode]
        if case .sequence(let list) = item.value.kind {
            elements = list
        } else {
            elements = [item.value]
        }
        let requiresAll = item.modifiers.contains(.all)
        if requiresAll, elements.count < 2 {
            sink.report(.allWithSingleValue, at: item.keyPosition, "'all' needs at least two keywords; remove '|all'")
            return nil
        }
        return keywords(elements, requiresAll: requiresAll, at: item.value.position, sink: &sink)
    }

    private func keywords(
        _ elements: [SigmaYAMLNode],
        requiresAll: Bool,
        at position: SourcePosition,
        sink: inout DiagnosticSink
    ) -> SigmaExpression? {
        var matchers: [SigmaStringMatcher] = []
        for element in elements {
            guard let text = element.text else {
                sink.report(
                    element.scalar == .null ? .nullInList : .structure,
                    at: element.position,
                    "a keyword must be a string or a number; for a missing field use 'field: null' in a map"
                )
                return nil
            }
            matchers.append(
                SigmaStringMatcher(SigmaString(parsing: text).wrapped(leading: true, trailing: true), isCased: false)
            )
        }
        return .keywords(SigmaKeywordPredicate(matchers: matchers, requiresAll: requiresAll))
    }
}

/// One `field|modifiers: value(s)` entry of a search identifier.
struct SigmaItem {
    let field: String
    let modifiers: [SigmaModifier]
    let keyPosition: SourcePosition
    let value: SigmaYAMLNode
}
