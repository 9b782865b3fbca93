// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinRules

/// Every construct outside the dialect, and every limit, is a located ``BoundedRegex/SyntaxError``
/// whose message names the problem and the way around it.
struct BoundedRegexRejectionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let pattern: String
        let code: BoundedRegex.SyntaxError.Code
        let offset: Int
        let message: String

        var testDescription: String { "/\(pattern.prefix(40))/ → \(code) at \(offset)" }
    }

    static let cases: [Case] = [
        // Outside the dialect.
        Case(pattern: "(a)\\1", code: .unsupported, offset: 3, message: "back-references"),
        Case(pattern: "(?P<x>a)(?P=x)", code: .unsupported, offset: 8, message: "back-references"),
        Case(pattern: "(?<x>a)\\k<x>", code: .unsupported, offset: 7, message: "back-references"),
        Case(pattern: "a\\g{1}", code: .unsupported, offset: 1, message: "back-references"),
        Case(pattern: "a(?=b)", code: .unsupported, offset: 1, message: "look-ahead"),
        Case(pattern: "a(?!b)", code: .unsupported, offset: 1, message: "look-ahead"),
        Case(pattern: "(?<=a)b", code: .unsupported, offset: 0, message: "look-behind"),
        Case(pattern: "(?<!a)b", code: .unsupported, offset: 0, message: "look-behind"),
        Case(pattern: "a*+", code: .unsupported, offset: 2, message: "possessive"),
        Case(pattern: "a++", code: .unsupported, offset: 2, message: "possessive"),
        Case(pattern: "a?+", code: .unsupported, offset: 2, message: "possessive"),
        Case(pattern: "a{2}+", code: .unsupported, offset: 4, message: "possessive"),
        Case(pattern: "(?>a+)b", code: .unsupported, offset: 0, message: "atomic groups"),
        Case(pattern: "(?R)", code: .unsupported, offset: 0, message: "recursion"),
        Case(pattern: "(a)(?1)", code: .unsupported, offset: 3, message: "recursion"),
        Case(pattern: "(?P>x)", code: .unsupported, offset: 0, message: "recursion"),
        Case(pattern: "(?#note)a", code: .unsupported, offset: 0, message: "comment"),
        Case(pattern: "(?|a)", code: .unsupported, offset: 0, message: "branch-reset"),
        Case(pattern: "(?(1)a|b)", code: .unsupported, offset: 0, message: "conditional"),
        Case(pattern: "(?'n'a)", code: .unsupported, offset: 0, message: "(?P<name>"),
        Case(pattern: "(?x)a b", code: .unsupported, offset: 2, message: "extended"),
        Case(pattern: "\\p{L}", code: .unsupported, offset: 0, message: "Unicode property"),
        Case(pattern: "ab\\Z", code: .unsupported, offset: 2, message: "use \\z"),
        Case(pattern: "\\G", code: .unsupported, offset: 0, message: "unsupported escape"),
        Case(pattern: "a\\K", code: .unsupported, offset: 1, message: "unsupported escape"),
        Case(pattern: "[\\b]", code: .unsupported, offset: 1, message: "inside a class"),
        // Malformed.
        Case(pattern: "(ab", code: .malformed, offset: 0, message: "missing ')'"),
        Case(pattern: "ab)", code: .malformed, offset: 2, message: "unmatched ')'"),
        Case(pattern: "[ab", code: .malformed, offset: 0, message: "missing ']'"),
        Case(pattern: "*a", code: .malformed, offset: 0, message: "nothing to repeat"),
        Case(pattern: "a|+", code: .malformed, offset: 2, message: "nothing to repeat"),
        Case(pattern: "({2})", code: .malformed, offset: 1, message: "nothing to repeat"),
        Case(pattern: "a**", code: .malformed, offset: 2, message: "cannot follow another"),
        Case(pattern: "a{3,2}", code: .malformed, offset: 1, message: "maximum below its minimum"),
        Case(pattern: "[z-a]", code: .malformed, offset: 1, message: "out of order"),
        Case(pattern: "[a-\\d]", code: .malformed, offset: 1, message: "cannot end in a class escape"),
        Case(pattern: "ab\\", code: .malformed, offset: 2, message: "trailing '\\'"),
        Case(pattern: "\\xZZ", code: .malformed, offset: 0, message: "hexadecimal"),
        Case(pattern: "\\x{110000}", code: .malformed, offset: 0, message: "above U+10FFFF"),
        Case(pattern: "\\uD800", code: .malformed, offset: 0, message: "surrogate"),
        Case(pattern: "\\q", code: .unsupported, offset: 0, message: "unknown or unsupported escape"),
        Case(pattern: "[[:alfa:]]", code: .malformed, offset: 1, message: "unknown POSIX class"),
        Case(pattern: "(?z)", code: .malformed, offset: 2, message: "unknown flag"),
        Case(pattern: "(?)", code: .malformed, offset: 0, message: "empty flag group"),
        Case(pattern: "(?P<1a>x)", code: .malformed, offset: 4, message: "invalid group name"),
        Case(pattern: "(?<>x)", code: .malformed, offset: 0, message: "empty group name"),
        Case(pattern: "é(", code: .malformed, offset: 2, message: "missing ')'"),
        // Limits.
        Case(pattern: "a{1001}", code: .limitExceeded, offset: 1, message: "at most 1000"),
        Case(pattern: "(a{1000}){1000}", code: .limitExceeded, offset: 9, message: "limit of 10000"),
        Case(pattern: "(((a{10}){10}){10}){100}", code: .limitExceeded, offset: 19, message: "limit of 10000"),
        Case(
            pattern: String(repeating: "a{999}", count: 11),
            code: .limitExceeded,
            offset: 0,
            message: "compiles to 10989 instructions"
        ),
        Case(
            pattern: String(repeating: "(", count: 300) + String(repeating: ")", count: 300),
            code: .limitExceeded,
            offset: 100,
            message: "nested more than 100"
        ),
        Case(pattern: String(repeating: "a", count: 8_193), code: .limitExceeded, offset: 8_192, message: "8193 bytes"),
    ]

    @Test("is rejected with a located message", arguments: cases)
    func rejects(_ row: Case) {
        #expect(throws: BoundedRegex.SyntaxError.self) { try BoundedRegex(row.pattern) }
        do {
            _ = try BoundedRegex(row.pattern)
        } catch {
            #expect(error.code == row.code)
            #expect(error.offset == row.offset)
            #expect(error.message.contains(row.message), "\(error.message)")
            #expect(error.description.hasPrefix("offset \(row.offset): "))
        }
    }

    @Test("The limits are the documented figures")
    func limits() throws {
        #expect(BoundedRegex.maxPatternBytes == 8_192)
        #expect(BoundedRegex.maxProgramSize == 10_000)
        #expect(BoundedRegex.maxRepetitionCount == 1_000)
        #expect(BoundedRegex.maxNestingDepth == 100)
        let largest = try BoundedRegex("a{1000}b{1000}")
        #expect(largest.programSize == 2_001)
        #expect(try BoundedRegex(String(repeating: "a", count: 8_192)).programSize == 8_193)
    }

    @Test("The largest accepted shapes compile and match: deepest nesting, thousands of branches")
    func largestShapes() throws {
        let nested = try BoundedRegex(String(repeating: "(", count: 100) + "a" + String(repeating: ")*", count: 100))
        #expect(nested.matches(in: "aaa"))
        let branches = try BoundedRegex((0..<1_200).map { "\($0)x" }.joined(separator: "|"))
        #expect(branches.programSize > 5_000)
        #expect(branches.matches(in: "..1199x.."))
        #expect(!branches.matches(in: "..x1199.."))
    }

    @Test("A back-reference message says how to do without one")
    func backReferenceMessage() {
        #expect {
            try BoundedRegex("(a)\\1")
        } throws: { error in
            let message = (error as? BoundedRegex.SyntaxError)?.message ?? ""
            return message.hasPrefix("back-references") && message.contains("RE2 dialect")
        }
    }
}
