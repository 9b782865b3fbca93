// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinRules
import TocsinTesting

/// The two searchers agree: `matches` (literal pre-checks, then the lazily built DFA, which falls
/// back to the NFA when its cache is busy or full) and `searchStatistics` (the NFA alone).
struct BoundedRegexEngineTests {
    static let atoms = [
        "a", "b", "é", "\\n", ".", "[ab]", "[^a]", "[a-é]", "\\w", "\\W", "\\s", "\\d", "(?i:k)", "\\x{FFFD}",
    ]
    static let assertions = ["^", "$", "\\b", "\\B", "\\A", "\\z"]
    static let quantifiers = ["", "", "*", "+", "?", "{2}", "{1,3}", "*?"]
    static let alphabet: [[UInt8]] = [
        [0x61], [0x62], [0x6B], [0x4B], [0x20], [0x0A], [0x31], [0xC3, 0xA9], [0xE2, 0x84, 0xAA], [0xFF], [0xC3],
    ]

    static func pattern(_ random: inout SeededRandom, depth: Int) -> String {
        let branches = (0..<Int.random(in: 1...2, using: &random)).map { _ in
            (0..<Int.random(in: 1...3, using: &random)).map { _ -> String in
                switch Int.random(in: 0..<8, using: &random) {
                case 0:
                    return random.pick(assertions)
                case 1 where depth < 2:
                    return "(" + pattern(&random, depth: depth + 1) + ")" + random.pick(quantifiers)
                default:
                    return random.pick(atoms) + random.pick(quantifiers)
                }
            }.joined()
        }
        return branches.joined(separator: "|")
    }

    @Test("DFA and NFA agree on generated patterns, flags and texts (invalid UTF-8 included)", arguments: 0..<4)
    func agree(batch: Int) throws {
        var random = SeededRandom(seed: UInt64(batch) &+ 1_000)
        var disagreements: [String] = []
        for _ in 0..<80 {
            let pattern = Self.pattern(&random, depth: 0)
            let options = BoundedRegex.Options(
                caseInsensitive: Bool.random(using: &random),
                multiline: Bool.random(using: &random),
                dotMatchesNewline: Bool.random(using: &random)
            )
            let regex = try BoundedRegex(pattern, options: options)
            for _ in 0..<30 {
                let text = (0..<Int.random(in: 0...12, using: &random)).flatMap { _ in random.pick(Self.alphabet) }
                let nfa = regex.searchStatistics(utf8: text).matched
                if regex.matches(utf8: text) != nfa {
                    disagreements.append("/\(pattern)/ \(options) on \(text): NFA says \(nfa)")
                }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10).joined(separator: "\n"))")
    }

    @Test("Random pattern text never traps: it compiles and both searchers agree, or it is rejected in range")
    func randomPatternText() throws {
        let pieces = [
            "(", ")", "[", "]", "{", "}", "|", "*", "+", "?", "^", "$", ".", "\\", "-", ",", ":", "<", ">", "=", "!",
            "a", "b", "1", "2", "x", "u", "P", "Q", "E", "d", "w", "é", "?:", "?i", "?P<n>", "[:alpha:]", "{2,3}",
            "\\x{",
        ]
        var random = SeededRandom(seed: 7)
        var compiled = 0
        for _ in 0..<20_000 {
            let pattern = (0..<Int.random(in: 1...12, using: &random)).map { _ in random.pick(pieces) }.joined()
            do {
                let regex = try BoundedRegex(pattern)
                compiled += 1
                for text in ["", "ab1", "x{2}y", "é\n(a)", "[b]|c"] {
                    #expect(
                        regex.matches(in: text) == regex.searchStatistics(utf8: Array(text.utf8)).matched,
                        "\(pattern)"
                    )
                }
            } catch {
                #expect(error.offset >= 0 && error.offset <= pattern.utf8.count, "\(pattern): \(error)")
                #expect(!error.message.isEmpty)
            }
        }
        #expect(compiled > 1_000)
    }

    @Test("A pattern with more DFA states than the cache holds still answers correctly")
    func overflow() throws {
        // 2^13 states: the DFA must remember the last 13 letters.
        let regex = try BoundedRegex("a[ab]{12}$")
        var random = SeededRandom(seed: 42)
        for _ in 0..<20 {
            let text = (0..<2_000).map { _ in Bool.random(using: &random) ? UInt8(ascii: "a") : UInt8(ascii: "b") }
            let expected = text[text.count - 13] == UInt8(ascii: "a")
            #expect(regex.matches(utf8: text) == expected)
            #expect(regex.searchStatistics(utf8: text).matched == expected)
        }
    }

    @Test("Concurrent searches with one regex give the same answers")
    func concurrent() async throws {
        let regex = try BoundedRegex("(?i)\\b(pacu|stratus)[-a-z]*\\b")
        let texts = (0..<64).map { index in
            index % 3 == 0 ? "ua Pacu-cli/\(index)" : "ua aws-cli/\(index) xstratus"
        }
        let expected = texts.map { $0.contains("Pacu") }
        let results = await withTaskGroup(of: [Bool].self) { group in
            for _ in 0..<4 {
                group.addTask { (0..<50).flatMap { _ in texts.map { regex.matches(in: $0) } } }
            }
            var all: [[Bool]] = []
            for await result in group {
                all.append(result)
            }
            return all
        }
        let repeated = Array((0..<50).map { _ in expected }.joined())
        #expect(results.count == 4)
        for result in results {
            #expect(result == repeated)
        }
    }
}
