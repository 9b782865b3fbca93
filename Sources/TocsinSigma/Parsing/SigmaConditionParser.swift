// SPDX-License-Identifier: Apache-2.0

/// Parses a Sigma condition into an expression over the compiled search identifiers.
///
/// Grammar, loosest first: `or`, `and`, `not`, then `1 of X` / `any of X` / `all of X` and
/// parentheses. `X` is an identifier pattern (`*` matches any run) or `them`, which ignores
/// identifiers starting with `_`. The obsolete aggregation syntax (`|`, `near`) is refused.
struct SigmaConditionParser {
    private enum Token: Equatable {
        case word(String)
        case open
        case close
        case pipe
    }

    private let identifiers: [(name: String, expression: SigmaExpression)]
    private let tokens: [(token: Token, offset: Int)]
    private var index = 0
    private let position: SourcePosition
    private let textLength: Int

    /// The expression of `text`, or `nil` after reporting the problem at its column.
    static func parse(
        _ text: String,
        at position: SourcePosition,
        identifiers: [(name: String, expression: SigmaExpression)],
        sink: inout DiagnosticSink
    ) -> SigmaExpression? {
        var parser = SigmaConditionParser(text: text, position: position, identifiers: identifiers)
        do throws(Problem) {
            let expression = try parser.parseOr()
            if parser.index < parser.tokens.count {
                if parser.tokens[parser.index].token == .pipe {
                    throw parser.problem(
                        .obsoleteAggregation,
                        "the '| count() by …' aggregation syntax is obsolete; write a correlation rule (correlation: type: event_count) instead"
                    )
                }
                throw parser.problem(
                    .conditionSyntax,
                    "unexpected '\(parser.describe(parser.tokens[parser.index].token))'; join conditions with 'and' or 'or'"
                )
            }
            return expression
        } catch {
            sink.report(error.code, at: error.position, error.message)
            return nil
        }
    }

    private struct Problem: Error {
        let code: SigmaDiagnostic.Code
        let position: SourcePosition
        let message: String
    }

    private init(text: String, position: SourcePosition, identifiers: [(name: String, expression: SigmaExpression)]) {
        self.identifiers = identifiers
        self.position = position
        var tokens: [(Token, Int)] = []
        var word = ""
        var wordStart = 0
        for (offset, character) in text.enumerated() {
            let token: Token? =
                switch character {
                case "(": .open
                case ")": .close
                case "|": .pipe
                default: nil
                }
            if token != nil || character.isWhitespace {
                if !word.isEmpty {
                    tokens.append((.word(word), wordStart))
                    word = ""
                }
                if let token {
                    tokens.append((token, offset))
                }
            } else {
                if word.isEmpty {
                    wordStart = offset
                }
                word.append(character)
            }
        }
        if !word.isEmpty {
            tokens.append((.word(word), wordStart))
        }
        self.tokens = tokens
        self.textLength = text.count
    }

    private func problem(_ code: SigmaDiagnostic.Code, _ message: String, at tokenIndex: Int? = nil) -> Problem {
        let which = tokenIndex ?? index
        let offset = which < tokens.count ? tokens[which].offset : textLength
        return Problem(
            code: code,
            position: SourcePosition(line: position.line, column: position.column + offset),
            message: message
        )
    }

    private func describe(_ token: Token) -> String {
        switch token {
        case .word(let word): word
        case .open: "("
        case .close: ")"
        case .pipe: "|"
        }
    }

    private func peekWord() -> String? {
        guard index < tokens.count, case .word(let word) = tokens[index].token else {
            return nil
        }
        return word
    }

    private mutating func parseOr() throws(Problem) -> SigmaExpression {
        var terms = [try parseAnd()]
        while peekWord() == "or" {
            index += 1
            terms.append(try parseAnd())
        }
        return terms.count == 1 ? terms[0] : .or(terms)
    }

    private mutating func parseAnd() throws(Problem) -> SigmaExpression {
        var terms = [try parseNot()]
        while peekWord() == "and" {
            index += 1
            terms.append(try parseNot())
        }
        return terms.count == 1 ? terms[0] : .and(terms)
    }

    private mutating func parseNot() throws(Problem) -> SigmaExpression {
        if peekWord() == "not" {
            index += 1
            return .not(try parseNot())
        }
        return try parsePrimary()
    }

    private mutating func parsePrimary() throws(Problem) -> SigmaExpression {
        guard index < tokens.count else {
            throw problem(
                .conditionSyntax,
                "the condition ends too early; an identifier, 'not', '(' or 'x of' is missing"
            )
        }
        switch tokens[index].token {
        case .open:
            let openIndex = index
            index += 1
            let inner = try parseOr()
            guard index < tokens.count, tokens[index].token == .close else {
                throw problem(.conditionSyntax, "'(' is not closed; add ')'", at: openIndex)
            }
            index += 1
            return inner
        case .close:
            throw problem(.conditionSyntax, "unexpected ')'; remove it or add the matching '('")
        case .pipe:
            throw problem(
                .obsoleteAggregation,
                "the '| count() by …' aggregation syntax is obsolete; write a correlation rule (correlation: type: event_count) instead"
            )
        case .word(let word):
            if word == "near" {
                throw problem(.obsoleteAggregation, "'near' is obsolete; write a temporal correlation rule instead")
            }
            if ["and", "or"].contains(word) {
                throw problem(.conditionSyntax, "'\(word)' needs an identifier before it")
            }
            if word == "1" || word == "any" || word == "all" || Int(word) != nil {
                return try parseQuantifier(word)
            }
            if word == "of" || word == "them" {
                throw problem(.conditionSyntax, "'\(word)' must follow '1', 'any' or 'all'")
            }
            guard let match = identifiers.first(where: { $0.name == word }) else {
                throw problem(
                    .unknownIdentifier,
                    "unknown search identifier '\(word)'; define it under 'detection' (known: \(identifiers.map(\.name).joined(separator: ", ")))"
                )
            }
            index += 1
            return match.expression
        }
    }

    private mutating func parseQuantifier(_ word: String) throws(Problem) -> SigmaExpression {
        let quantifierIndex = index
        guard word == "1" || word == "any" || word == "all" else {
            throw problem(.conditionSyntax, "only '1 of', 'any of' and 'all of' exist; '\(word) of' is not Sigma")
        }
        index += 1
        guard peekWord() == "of" else {
            throw problem(.conditionSyntax, "'\(word)' must be followed by 'of' and a pattern or 'them'")
        }
        index += 1
        guard let target = peekWord() else {
            throw problem(.conditionSyntax, "'\(word) of' needs an identifier pattern (sel*) or 'them'")
        }
        let selected: [SigmaExpression]
        if target == "them" {
            selected = identifiers.filter { !$0.name.hasPrefix("_") }.map(\.expression)
        } else {
            let pattern = SigmaStringMatcher(SigmaString(parsing: target), isCased: true)
            selected = identifiers.filter { identifier in
                var name = identifier.name
                return name.withUTF8 { pattern.matches(original: $0, folded: $0) }
            }
            .map(\.expression)
        }
        guard !selected.isEmpty else {
            throw problem(
                .unknownIdentifier,
                "'\(target)' matches no search identifier; check the pattern",
                at: quantifierIndex + 2
            )
        }
        index += 1
        if selected.count == 1 {
            return selected[0]
        }
        return word == "all" ? .and(selected) : .or(selected)
    }
}
