// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinRules

/// Hostile patterns finish with the right answer, and the work bound holds: states entered ≤
/// program size × positions visited, positions ≤ bytes + 1.
struct BoundedRegexBoundTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let pattern: String
        let input: String
        let expected: Bool
        var testDescription: String { "/\(pattern)/ on \(input.utf8.count) bytes" }
    }

    static let length = 30_000
    static let aaa = String(repeating: "a", count: length)

    static let cases: [Case] = [
        Case(pattern: "(a+)+$", input: aaa + "!", expected: false),
        Case(pattern: "(a+)+b", input: aaa, expected: false),
        Case(pattern: "^(a+)+$", input: aaa, expected: true),
        Case(pattern: "(a|a)*b", input: aaa, expected: false),
        Case(pattern: "(a|aa)+$", input: aaa + "b", expected: false),
        Case(pattern: "(a*)*b", input: aaa, expected: false),
        Case(pattern: "(.*a){20}", input: aaa, expected: true),
        Case(pattern: "(.*a){20}b", input: aaa, expected: false),
        Case(pattern: "^(\\w+\\s?)*$", input: String(repeating: "word ", count: length / 5) + "!", expected: false),
        Case(pattern: "(x+x+)+y", input: String(repeating: "x", count: length), expected: false),
        Case(pattern: "^(([a-z])+.)+[A-Z]([a-z])+$", input: aaa + "!", expected: false),
        Case(pattern: "(?i)(a|A)*b", input: aaa, expected: false),
        Case(pattern: "a{0,200}a{200}$", input: aaa + "!", expected: false),
        Case(
            pattern: "\\b(\\w+)\\b.*\\b(\\w+)\\bz",
            input: String(repeating: "ab ", count: length / 3),
            expected: false
        ),
        Case(pattern: "(é+)+$", input: String(repeating: "é", count: length / 2) + "!", expected: false),
    ]

    @Test("finishes with the right answer within the bound", arguments: cases)
    func bounded(_ row: Case) throws {
        let regex = try BoundedRegex(row.pattern)
        let bytes = Array(row.input.utf8)
        #expect(regex.matches(in: row.input) == row.expected)
        let statistics = regex.searchStatistics(utf8: bytes)
        #expect(statistics.matched == row.expected)
        #expect(statistics.positionCount <= bytes.count + 1)
        #expect(statistics.stepCount <= regex.programSize * statistics.positionCount)
    }

    @Test("Work grows linearly with the text")
    func linear() throws {
        let regex = try BoundedRegex("(a+)+$")
        let short = regex.searchStatistics(utf8: Array((String(repeating: "a", count: 1_000) + "!").utf8))
        let long = regex.searchStatistics(utf8: Array((String(repeating: "a", count: 10_000) + "!").utf8))
        #expect(!short.matched && !long.matched)
        #expect(long.stepCount <= 11 * short.stepCount)
        #expect(long.stepCount >= 9 * short.stepCount)
    }

    @Test("A pattern that cannot start a match skips the text without entering states")
    func skipsAhead() throws {
        let regex = try BoundedRegex("z[0-9]+")
        let statistics = regex.searchStatistics(utf8: Array((Self.aaa + "z12").utf8))
        #expect(statistics.matched)
        #expect(statistics.positionCount < 10)
    }
}
