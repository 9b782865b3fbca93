// SPDX-License-Identifier: Apache-2.0

/// A Sigma string value as tokens: literal characters, `*` (any run) and `?` (one character).
///
/// The tokenizer follows the specification's escaping: a backslash only means something before
/// `*`, `?` or another backslash (`\*` and `\?` are literal, `\\` is one backslash); before anything
/// else, or at the end, it is itself a literal backslash. So `C:\Windows` and `C:\\Windows` are the
/// same value, `\\*` is a backslash then a wildcard, and `\\\*` a backslash then a literal star.
struct SigmaString: Sendable, Hashable {
    /// One token.
    enum Token: Sendable, Hashable {
        /// A literal character.
        case literal(Unicode.Scalar)
        /// `*`: any run of characters, possibly empty.
        case multi
        /// `?`: exactly one character.
        case single
        /// One of several characters (`windash` turns a dash into this).
        case oneOf([Unicode.Scalar])
    }

    var tokens: [Token]

    init(tokens: [Token]) {
        self.tokens = tokens
    }

    /// Tokenizes a rule value with wildcards and escapes.
    init(parsing text: String) {
        var tokens: [Token] = []
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case "\\":
                let next = index + 1 < scalars.count ? scalars[index + 1] : nil
                if let next, next == "*" || next == "?" || next == "\\" {
                    tokens.append(.literal(next))
                    index += 2
                    continue
                }
                tokens.append(.literal("\\"))
            case "*":
                tokens.append(.multi)
            case "?":
                tokens.append(.single)
            default:
                tokens.append(.literal(scalar))
            }
            index += 1
        }
        self.tokens = tokens
    }

    /// A value made only of literal characters (no wildcard), such as an encoder's output.
    init(literal text: String) {
        tokens = text.unicodeScalars.map(Token.literal)
    }

    /// Whether any token is a wildcard or a choice.
    var hasWildcards: Bool {
        tokens.contains { token in
            if case .literal = token {
                return false
            }
            return true
        }
    }

    /// The literal text, when there are no wildcards.
    var literalText: String? {
        var text = String.UnicodeScalarView()
        for token in tokens {
            guard case .literal(let scalar) = token else {
                return nil
            }
            text.append(scalar)
        }
        return String(text)
    }

    /// `*` + value + `*` (no doubled star at either end).
    func wrapped(leading: Bool, trailing: Bool) -> SigmaString {
        var tokens = self.tokens
        if leading, tokens.first != .multi {
            tokens.insert(.multi, at: 0)
        }
        if trailing, tokens.last != .multi {
            tokens.append(.multi)
        }
        return SigmaString(tokens: tokens)
    }

    /// Every literal string the value denotes when it has no `*`/`?` but may have choices, at most `limit`.
    func expandedChoices(limit: Int) -> [String]? {
        var results: [String.UnicodeScalarView] = [String.UnicodeScalarView()]
        for token in tokens {
            switch token {
            case .literal(let scalar):
                for index in results.indices {
                    results[index].append(scalar)
                }
            case .oneOf(let choices):
                guard results.count * choices.count <= limit else {
                    return nil
                }
                results = results.flatMap { prefix in
                    choices.map { choice in
                        var next = prefix
                        next.append(choice)
                        return next
                    }
                }
            case .multi, .single:
                return nil
            }
        }
        return results.map { String($0) }
    }
}
