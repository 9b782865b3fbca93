// SPDX-License-Identifier: Apache-2.0

/// Escapes, character classes and the POSIX class names.
extension RegexParser {
    /// An item of a bracketed class: one scalar (which may start a range) or a set such as `\d`.
    private enum ClassItem {
        case scalar(UInt32)
        case set(ScalarSet)
    }

    // MARK: - Escapes outside classes

    /// `\` and what follows it, outside a class.
    mutating func parseEscape() throws(SyntaxError) -> RegexNode {
        let start = position
        position += 1
        guard let letter = peek() else {
            throw trailingBackslash(at: start)
        }
        position += 1
        if let perl = Self.perlClass(letter) {
            return setNode(perl.positive, negated: perl.negated)
        }
        switch letter {
        case "b": return .assertion(.wordBoundary)
        case "B": return .assertion(.notWordBoundary)
        case "A": return .assertion(.textStart)
        case "z": return .assertion(.textEnd)
        case "Z":
            throw unsupported(at: start, "\\Z is not supported; use \\z for the end of the text, or $")
        case "Q":
            return quotedLiteral()
        case "E":
            return .empty
        default:
            return literal(try scalarEscape(letter, at: start))
        }
    }

    /// `\Q…\E`: everything up to `\E` (or the end of the pattern) is literal.
    private mutating func quotedLiteral() -> RegexNode {
        var items: [RegexNode] = []
        while let next = peek() {
            if next == "\\", peek(1) == "E" {
                position += 2
                break
            }
            items.append(literal(next.value))
            position += 1
        }
        return items.isEmpty ? .empty : (items.count == 1 ? items[0] : .concat(items))
    }

    /// The scalar an escape such as `\n`, `\x41`, `\u00e9` or `\.` stands for; `start` is the backslash.
    private mutating func scalarEscape(_ letter: Unicode.Scalar, at start: Int) throws(SyntaxError) -> UInt32 {
        switch letter {
        case "t": return 0x09
        case "n": return 0x0A
        case "v": return 0x0B
        case "f": return 0x0C
        case "r": return 0x0D
        case "a": return 0x07
        case "e": return 0x1B
        case "0": return octalEscape()
        case "x": return try consumeHex(at: start, fixedDigits: 2)
        case "u": return try consumeHex(at: start, fixedDigits: 4)
        case "1"..."9", "k", "g":
            throw unsupported(at: start, "back-references (\\1, \\k<name>, \\g{n}) are not supported")
        case "p", "P":
            throw unsupported(
                at: start,
                "Unicode property classes (\\p{…}) are not supported; list the characters or ranges in a class"
            )
        default:
            if letter.isASCII, letter.properties.isAlphabetic || asciiDigit(letter) != nil {
                throw error(
                    at: start,
                    .unsupported,
                    "unknown or unsupported escape '\\\(letter)'; write '\\\\\(letter)' for a backslash and '\(letter)'"
                )
            }
            return letter.value
        }
    }

    /// `\0`, `\0o` or `\0oo`: an octal code; `position` is just past the `0`.
    private mutating func octalEscape() -> UInt32 {
        var value: UInt32 = 0
        var digits = 0
        while digits < 2, let next = peek(), let digit = asciiDigit(next), digit < 8 {
            value = value * 8 + UInt32(digit)
            digits += 1
            position += 1
        }
        return value
    }

    /// `\xHH`, `\x{H…}`, `\uHHHH` or `\u{H…}`; `position` is just past the letter.
    private mutating func consumeHex(at start: Int, fixedDigits: Int) throws(SyntaxError) -> UInt32 {
        let braced = peek() == "{"
        if braced {
            position += 1
        }
        var value: UInt32 = 0
        var digits = 0
        while let next = peek(), let digit = Character(next).hexDigitValue, braced || digits < fixedDigits {
            value = min(0x11_0000, value * 16 + UInt32(digit))
            digits += 1
            position += 1
        }
        if braced {
            guard peek() == "}", digits > 0 else {
                throw error(at: start, .malformed, "bad hexadecimal escape; write \\x{41} or \\x41")
            }
            position += 1
        } else if digits != fixedDigits {
            throw error(
                at: start,
                .malformed,
                "bad hexadecimal escape; it needs exactly \(fixedDigits) hexadecimal digits, or braces as in \\x{41}"
            )
        }
        guard value <= ScalarSet.maxScalar, !(0xD800...0xDFFF).contains(value) else {
            throw error(at: start, .malformed, "the escape names a surrogate or a code point above U+10FFFF")
        }
        return value
    }

    private func trailingBackslash(at index: Int) -> SyntaxError {
        error(at: index, .malformed, "trailing '\\' at the end of the pattern; write '\\\\' for a literal backslash")
    }

    // MARK: - Classes

    /// `[…]`, `[^…]`, with ranges, escapes and POSIX names such as `[:alpha:]`.
    mutating func parseClass() throws(SyntaxError) -> RegexNode {
        let open = position
        position += 1
        var negated = false
        if peek() == "^" {
            negated = true
            position += 1
        }
        var set = ScalarSet()
        var first = true
        while true {
            guard let next = peek() else {
                throw error(at: open, .malformed, "missing ']': the class opened here is never closed")
            }
            if next == "]", !first {
                position += 1
                break
            }
            first = false
            if next == "[", peek(1) == ":", let posix = try posixClass() {
                set.formUnion(posix)
                continue
            }
            let itemStart = position
            switch try classItem() {
            case .set(let items):
                set.formUnion(items)
            case .scalar(let low):
                guard peek() == "-", let after = peek(1), after != "]" else {
                    set.insert(low...low)
                    continue
                }
                position += 1
                guard case .scalar(let high) = try classItem() else {
                    throw error(at: itemStart, .malformed, "a range cannot end in a class escape such as \\d")
                }
                guard low <= high else {
                    throw error(at: itemStart, .malformed, "range out of order; write the smaller end first, as in a-z")
                }
                set.insert(low...high)
            }
        }
        if flags.caseInsensitive {
            set = set.caseFolded()
        }
        return .set(negated ? set.inverted() : set)
    }

    private mutating func classItem() throws(SyntaxError) -> ClassItem {
        let start = position
        let next = scalars[position]
        position += 1
        guard next == "\\" else {
            return .scalar(next.value)
        }
        guard let letter = peek() else {
            throw trailingBackslash(at: start)
        }
        position += 1
        if let perl = Self.perlClass(letter) {
            return .set(perl.negated ? perl.positive.inverted() : perl.positive)
        }
        switch letter {
        case "b", "B", "A", "z", "Z", "Q", "E":
            throw error(
                at: start,
                .unsupported,
                "'\\\(letter)' is not allowed inside a class; move it outside the brackets (write \\x08 for backspace)"
            )
        default:
            return .scalar(try scalarEscape(letter, at: start))
        }
    }

    /// `[:name:]` or `[:^name:]` inside a class; `nil` (nothing consumed) when no `:]` closes it.
    private mutating func posixClass() throws(SyntaxError) -> ScalarSet? {
        var end = position + 2
        while end + 1 < scalars.count, !(scalars[end] == ":" && scalars[end + 1] == "]") {
            guard scalars[end] != "]" else {
                return nil
            }
            end += 1
        }
        guard end + 1 < scalars.count else {
            return nil
        }
        var name = String(String.UnicodeScalarView(scalars[(position + 2)..<end]))
        let negated = name.hasPrefix("^")
        if negated {
            name.removeFirst()
        }
        guard let ranges = Self.posixClasses[name] else {
            throw error(
                at: position,
                .malformed,
                "unknown POSIX class '[:\(name):]'; the names are "
                    + Self.posixClasses.keys.sorted().joined(separator: ", ")
            )
        }
        position = end + 2
        let set = ScalarSet(ranges: ranges)
        return negated ? set.inverted() : set
    }

    // MARK: - Named sets

    /// `\d \w \s` and their negations (ASCII, as in RE2), or `nil` for another letter.
    static func perlClass(_ letter: Unicode.Scalar) -> (positive: ScalarSet, negated: Bool)? {
        let ranges: [ClosedRange<UInt32>]
        switch letter {
        case "d", "D": ranges = [0x30...0x39]
        case "w", "W": ranges = [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]
        case "s", "S": ranges = [0x09...0x0A, 0x0C...0x0D, 0x20...0x20]
        default: return nil
        }
        return (ScalarSet(ranges: ranges), letter.properties.isUppercase)
    }

    private static let posixClasses: [String: [ClosedRange<UInt32>]] = [
        "alnum": [0x30...0x39, 0x41...0x5A, 0x61...0x7A],
        "alpha": [0x41...0x5A, 0x61...0x7A],
        "ascii": [0x00...0x7F],
        "blank": [0x09...0x09, 0x20...0x20],
        "cntrl": [0x00...0x1F, 0x7F...0x7F],
        "digit": [0x30...0x39],
        "graph": [0x21...0x7E],
        "lower": [0x61...0x7A],
        "print": [0x20...0x7E],
        "punct": [0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E],
        "space": [0x09...0x0D, 0x20...0x20],
        "upper": [0x41...0x5A],
        "word": [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A],
        "xdigit": [0x30...0x39, 0x41...0x46, 0x61...0x66],
    ]

    /// A set outside a class, folded under `(?i)` (a negated escape folds its positive form first).
    private func setNode(_ positive: ScalarSet, negated: Bool) -> RegexNode {
        let set = flags.caseInsensitive ? positive.caseFolded() : positive
        return .set(negated ? set.inverted() : set)
    }
}
