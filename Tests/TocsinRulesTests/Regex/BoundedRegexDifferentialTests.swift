// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinRules
import TocsinTesting

/// BoundedRegex agrees with Foundation's NSRegularExpression (ICU) on generated patterns and
/// texts drawn from the part of the dialect where RE2 and ICU mean the same thing: ASCII texts
/// without `\r`, and no line break at the end of a text (ICU's `$` also matches before a final
/// line break; RE2's and ours does not).
struct BoundedRegexDifferentialTests {
    static let atoms = [
        "a", "b", "c", "A", ".", "[ab]", "[^a]", "[a-c]", "[[:alpha:]]", "\\d", "\\w", "\\s", "\\W", "1", " ",
    ]
    static let assertions = ["^", "$", "\\b", "\\B"]
    static let quantifiers = ["", "", "", "*", "+", "?", "{1,2}", "{2}", "{0,1}", "{2,}", "*?", "+?", "??"]
    /// Groups get no unbounded repetition: ICU gives up (no match) on nested loops that can
    /// repeat the empty string, such as `((a|1??)*?)+`; the tables cover those.
    static let groupQuantifiers = ["", "", "?", "{1,2}", "{2}", "??"]

    static func piece(_ random: inout SeededRandom, depth: Int) -> String {
        let roll = Int.random(in: 0..<10, using: &random)
        if roll == 0 {
            return random.pick(assertions)
        }
        if roll <= 2, depth < 3 {
            let group = random.pick(["(", "(?:"]) + alternation(&random, depth: depth + 1) + ")"
            return group + random.pick(groupQuantifiers)
        }
        return random.pick(atoms) + random.pick(quantifiers)
    }

    static func alternation(_ random: inout SeededRandom, depth: Int) -> String {
        (0..<Int.random(in: 1...2, using: &random)).map { _ in
            (0..<Int.random(in: 1...3, using: &random)).map { _ in piece(&random, depth: depth) }.joined()
        }.joined(separator: "|")
    }

    static func text(_ random: inout SeededRandom, multiline: Bool) -> String {
        let alphabet = ["a", "b", "c", "A", "B", " ", "1", "-"] + (multiline ? ["\n"] : [])
        var text = (0..<Int.random(in: 0...10, using: &random)).map { _ in random.pick(alphabet) }.joined()
        if text.hasSuffix("\n") {
            text += "c"
        }
        return text
    }

    @Test("agrees with NSRegularExpression on generated patterns", arguments: 0..<8)
    func agrees(batch: Int) throws {
        var random = SeededRandom(seed: UInt64(batch) &* 7_919 &+ 17)
        var disagreements: [String] = []
        for _ in 0..<60 {
            let pattern = Self.alternation(&random, depth: 0)
            let options = BoundedRegex.Options(
                caseInsensitive: Bool.random(using: &random),
                multiline: Bool.random(using: &random),
                dotMatchesNewline: Bool.random(using: &random)
            )
            var foundationOptions: NSRegularExpression.Options = []
            if options.caseInsensitive {
                foundationOptions.insert(.caseInsensitive)
            }
            if options.multiline {
                foundationOptions.insert(.anchorsMatchLines)
            }
            if options.dotMatchesNewline {
                foundationOptions.insert(.dotMatchesLineSeparators)
            }
            let regex = try BoundedRegex(pattern, options: options)
            let reference = try NSRegularExpression(pattern: pattern, options: foundationOptions)
            for _ in 0..<25 {
                let text = Self.text(&random, multiline: options.multiline)
                let range = NSRange(text.startIndex..<text.endIndex, in: text)
                let expected = reference.firstMatch(in: text, range: range) != nil
                if regex.matches(in: text) != expected {
                    disagreements.append("/\(pattern)/ \(options) on \(text.debugDescription): ICU says \(expected)")
                }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10).joined(separator: "\n"))")
    }
}
