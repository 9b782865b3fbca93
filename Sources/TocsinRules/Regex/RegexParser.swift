// SPDX-License-Identifier: Apache-2.0

/// Parses a pattern into a ``RegexNode`` (recursive descent over Unicode scalars).
///
/// Flags are parser state: `(?i)` changes them until the end of the enclosing group, `(?i:…)` for
/// the group only, and case folding, `.` and the anchors are resolved here, so the compiler sees
/// no flags. Constructs outside the dialect are rejected with a message naming the construct and
/// the way around it; see `docs/adr/0005-bounded-regex.md`.
struct RegexParser {
    typealias SyntaxError = BoundedRegex.SyntaxError

    let scalars: [Unicode.Scalar]
    /// The UTF-8 offset of each scalar, plus one past the end.
    let offsets: [Int]
    var position = 0
    var flags: BoundedRegex.Options
    var depth = 0

    init(_ pattern: String, options: BoundedRegex.Options) {
        scalars = Array(pattern.unicodeScalars)
        var offsets: [Int] = []
        offsets.reserveCapacity(scalars.count + 1)
        var offset = 0
        for scalar in scalars {
            offsets.append(offset)
            offset += UTF8.width(scalar)
        }
        offsets.append(offset)
        self.offsets = offsets
        flags = options
    }

    /// Parses the whole pattern.
    mutating func parse() throws(SyntaxError) -> RegexNode {
        let node = try parseAlternation()
        if position < scalars.count {
            throw error(at: position, .malformed, "unmatched ')': remove it or add the '(' it should close")
        }
        let size = node.programSize
        if size > BoundedRegex.maxProgramSize {
            throw error(
                at: 0,
                .limitExceeded,
                "the pattern compiles to \(size) instructions, more than the limit of \(BoundedRegex.maxProgramSize); "
                    + "use fewer or smaller counted repetitions, or split the pattern into several rules"
            )
        }
        return node
    }

    // MARK: - Structure

    private mutating func parseAlternation() throws(SyntaxError) -> RegexNode {
        var branches = [try parseConcatenation()]
        while peek() == "|" {
            position += 1
            branches.append(try parseConcatenation())
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func parseConcatenation() throws(SyntaxError) -> RegexNode {
        var items: [RegexNode] = []
        while let next = peek(), next != "|", next != ")" {
            let start = position
            guard let atom = try parseAtom() else {
                continue
            }
            let item = try parseQuantifiers(of: atom, at: start)
            if item != .empty {
                items.append(item)
            }
        }
        switch items.count {
        case 0: return .empty
        case 1: return items[0]
        default: return .concat(items)
        }
    }

    /// One atom, or `nil` for a flag group such as `(?i)` that only changes the flags.
    private mutating func parseAtom() throws(SyntaxError) -> RegexNode? {
        let start = position
        let scalar = scalars[position]
        switch scalar {
        case "(":
            return try parseGroup()
        case "[":
            return try parseClass()
        case "\\":
            return try parseEscape()
        case ".":
            position += 1
            return .any(dotAll: flags.dotMatchesNewline)
        case "^":
            position += 1
            return .assertion(flags.multiline ? .lineStart : .textStart)
        case "$":
            position += 1
            return .assertion(flags.multiline ? .lineEnd : .textEnd)
        case "*", "+", "?":
            throw error(
                at: start,
                .malformed,
                "'\(scalar)' has nothing to repeat; escape it as '\\\(scalar)' to match it literally"
            )
        case "{":
            if try repetitionBounds() != nil {
                throw error(
                    at: start,
                    .malformed,
                    "'{' has nothing to repeat; escape it as '\\{' to match it literally"
                )
            }
            position += 1
            return literal(scalar.value)
        default:
            position += 1
            return literal(scalar.value)
        }
    }

    private mutating func parseQuantifiers(of atom: RegexNode, at start: Int) throws(SyntaxError) -> RegexNode {
        var node = atom
        var repeated = false
        while let next = peek() {
            let operatorStart = position
            let bounds: (min: Int, max: Int?)
            switch next {
            case "*":
                bounds = (0, nil)
                position += 1
            case "+":
                bounds = (1, nil)
                position += 1
            case "?":
                bounds = (0, 1)
                position += 1
            case "{":
                guard let counted = try repetitionBounds() else {
                    return node
                }
                bounds = (counted.min, counted.max)
                position += counted.length
            default:
                return node
            }
            if repeated {
                throw error(
                    at: operatorStart,
                    .malformed,
                    "a repetition operator cannot follow another one; group the repeated part first, as in (?:a*)*"
                )
            }
            repeated = true
            if peek() == "?" {
                // Lazy and greedy forms give the same yes/no answer.
                position += 1
            } else if peek() == "+" {
                throw error(
                    at: position,
                    .unsupported,
                    "possessive quantifiers ('*+', '++', '?+', '{n}+') are not supported; remove the trailing '+'"
                )
            }
            node = .repetition(node, min: bounds.min, max: bounds.max)
            let size = node.programSize
            if size > BoundedRegex.maxProgramSize {
                throw error(
                    at: operatorStart,
                    .limitExceeded,
                    "this repetition expands to \(size) instructions, more than the limit of "
                        + "\(BoundedRegex.maxProgramSize); lower the count or use '*' or '+' instead"
                )
            }
        }
        return node
    }

    /// Reads `{n}`, `{n,}` or `{n,m}` at the current position without consuming it; `nil` when the
    /// text is not a repetition (then `{` is a literal, as in RE2).
    private func repetitionBounds() throws(SyntaxError) -> (min: Int, max: Int?, length: Int)? {
        var index = position + 1
        func number() -> Int? {
            var value: Int?
            while index < scalars.count, let digit = asciiDigit(scalars[index]) {
                value = min(100_000, (value ?? 0) * 10 + digit)
                index += 1
            }
            return value
        }
        guard let low = number() else {
            return nil
        }
        var high: Int? = low
        if index < scalars.count, scalars[index] == "," {
            index += 1
            high = number()
        }
        guard index < scalars.count, scalars[index] == "}" else {
            return nil
        }
        let limit = BoundedRegex.maxRepetitionCount
        if low > limit || (high ?? 0) > limit {
            throw error(
                at: position,
                .limitExceeded,
                "repetition counts must be at most \(limit); use '*' or '+' for an unbounded repetition"
            )
        }
        if let high, high < low {
            throw error(at: position, .malformed, "repetition {\(low),\(high)} has its maximum below its minimum")
        }
        return (low, high, index + 1 - position)
    }

    // MARK: - Groups

    private mutating func parseGroup() throws(SyntaxError) -> RegexNode? {
        let open = position
        position += 1
        guard peek() == "?" else {
            return try parseGroupBody(openedAt: open, restoring: flags)
        }
        position += 1
        guard let kind = peek() else {
            throw error(at: open, .malformed, "unterminated group '(?': close it with ')'")
        }
        switch kind {
        case ":":
            position += 1
            return try parseGroupBody(openedAt: open, restoring: flags)
        case "P":
            position += 1
            switch peek() {
            case "<":
                position += 1
                try skipGroupName(openedAt: open)
                return try parseGroupBody(openedAt: open, restoring: flags)
            case "=":
                throw unsupported(at: open, "back-references ((?P=name)) are not supported")
            default:
                throw unsupported(at: open, "recursion and subroutine calls ((?P>name)) are not supported")
            }
        case "<":
            position += 1
            if peek() == "=" || peek() == "!" {
                throw unsupported(at: open, "look-behind assertions ((?<=…), (?<!…)) are not supported")
            }
            try skipGroupName(openedAt: open)
            return try parseGroupBody(openedAt: open, restoring: flags)
        case "=", "!":
            throw unsupported(at: open, "look-ahead assertions ((?=…), (?!…)) are not supported")
        case ">":
            throw unsupported(at: open, "atomic groups ((?>…)) are not supported; use a plain group (?:…)")
        case "#":
            throw unsupported(at: open, "comment groups ((?#…)) are not supported; remove the comment")
        case "|":
            throw unsupported(at: open, "branch-reset groups ((?|…)) are not supported; use (?:…)")
        case "(":
            throw unsupported(at: open, "conditional groups ((?(…)…)) are not supported")
        case "'":
            throw unsupported(at: open, "named groups written (?'name'…) are not supported; write (?P<name>…)")
        case "R", "&", "+", "0"..."9":
            throw unsupported(at: open, "recursion and subroutine calls ((?R), (?1), (?&name)) are not supported")
        default:
            return try parseFlagGroup(openedAt: open)
        }
    }

    private mutating func parseGroupBody(
        openedAt open: Int,
        restoring saved: BoundedRegex.Options
    ) throws(SyntaxError) -> RegexNode {
        depth += 1
        if depth > BoundedRegex.maxNestingDepth {
            throw error(
                at: open,
                .limitExceeded,
                "groups are nested more than \(BoundedRegex.maxNestingDepth) deep; flatten the pattern"
            )
        }
        let body = try parseAlternation()
        guard peek() == ")" else {
            throw error(at: open, .malformed, "missing ')': the group opened here is never closed")
        }
        position += 1
        depth -= 1
        flags = saved
        return body
    }

    /// `(?flags)` or `(?flags:…)`; the flags are `i`, `m`, `s` and `U`, optionally after or with `-`.
    private mutating func parseFlagGroup(openedAt open: Int) throws(SyntaxError) -> RegexNode? {
        let saved = flags
        var updated = flags
        var negate = false
        var sawFlag = false
        while let next = peek() {
            position += 1
            switch next {
            case "i":
                updated.caseInsensitive = !negate
            case "m":
                updated.multiline = !negate
            case "s":
                updated.dotMatchesNewline = !negate
            case "U":
                // Ungreedy swaps lazy and greedy; the yes/no answer does not change.
                break
            case "-" where !negate:
                negate = true
                continue
            case ")", ":":
                guard sawFlag else {
                    throw error(at: open, .malformed, "empty flag group; write flags such as (?i) or (?i-s)")
                }
                flags = updated
                if next == ")" {
                    return nil
                }
                return try parseGroupBody(openedAt: open, restoring: saved)
            case "x":
                throw unsupported(
                    at: position - 1,
                    "the x (extended) flag is not supported; remove the whitespace and comments it would ignore"
                )
            default:
                throw error(
                    at: position - 1,
                    .malformed,
                    "unknown flag '\(next)' in '(?…)'; the flags are i, m, s and U"
                )
            }
            sawFlag = true
        }
        throw error(at: open, .malformed, "unterminated flag group; close it with ')'")
    }

    /// Skips `name>` of a named group; names are ASCII letters, digits and `_`, not starting with a digit.
    private mutating func skipGroupName(openedAt open: Int) throws(SyntaxError) {
        let start = position
        while let next = peek(), next != ">" {
            let isWordScalar = next.isASCII && (next == "_" || next.properties.isAlphabetic || asciiDigit(next) != nil)
            guard isWordScalar, position > start || asciiDigit(next) == nil else {
                throw error(
                    at: position,
                    .malformed,
                    "invalid group name; use ASCII letters, digits and '_', not starting with a digit"
                )
            }
            position += 1
        }
        guard peek() == ">", position > start else {
            throw error(at: open, .malformed, "unterminated or empty group name; write (?P<name>…)")
        }
        position += 1
    }

    // MARK: - Helpers

    func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        position + ahead < scalars.count ? scalars[position + ahead] : nil
    }

    func asciiDigit(_ scalar: Unicode.Scalar) -> Int? {
        scalar.value >= 0x30 && scalar.value <= 0x39 ? Int(scalar.value - 0x30) : nil
    }

    /// A literal scalar, as the set of its case variants under `(?i)`.
    func literal(_ scalar: UInt32) -> RegexNode {
        guard flags.caseInsensitive else {
            return .literal(scalar)
        }
        let orbit = SimpleCaseFolding.orbit(of: scalar)
        return orbit.count == 1 ? .literal(scalar) : .set(ScalarSet(ranges: orbit.map { $0...$0 }))
    }

    func error(at index: Int, _ code: SyntaxError.Code, _ message: String) -> SyntaxError {
        SyntaxError(code: code, message: message, offset: offsets[min(index, offsets.count - 1)])
    }

    func unsupported(at index: Int, _ construct: String) -> SyntaxError {
        error(at: index, .unsupported, construct + "; Sigma regular expressions use the RE2 dialect")
    }
}
