// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinCore
import TocsinSigma

/// Escaping, condition precedence, null and exists, arrays, field paths and keywords.
struct SigmaSemanticsTests {
    /// The backslash table of the specification, each written as a YAML single-quoted value.
    static let escapes: [SigmaCase] = [
        SigmaCase(#"\* is a literal star"#, #"s:\n  a: 'x\*'\ncondition: s"#, #"{"a":"x*"}"#, true),
        SigmaCase(#"\* does not match other text"#, #"s:\n  a: 'x\*'\ncondition: s"#, #"{"a":"xy"}"#, false),
        SigmaCase(#"\? is a literal question mark"#, #"s:\n  a: 'x\?'\ncondition: s"#, #"{"a":"xy"}"#, false),
        SigmaCase(#"\\ is one backslash"#, #"s:\n  a: 'C:\\Windows'\ncondition: s"#, #"{"a":"C:\\Windows"}"#, true),
        SigmaCase(
            #"a lone \ before a letter is literal"#,
            #"s:\n  a: 'C:\Windows'\ncondition: s"#,
            #"{"a":"C:\\Windows"}"#,
            true
        ),
        SigmaCase(
            #"\\* is a backslash then a wildcard"#,
            #"s:\n  a: 'x\\*'\ncondition: s"#,
            #"{"a":"x\\anything"}"#,
            true
        ),
        SigmaCase(
            #"\\\* is a backslash then a literal star"#,
            #"s:\n  a: 'x\\\*'\ncondition: s"#,
            #"{"a":"x\\*"}"#,
            true
        ),
        SigmaCase(
            #"\\\* does not match a wildcard run"#,
            #"s:\n  a: 'x\\\*'\ncondition: s"#,
            #"{"a":"x\\abc"}"#,
            false
        ),
        SigmaCase(#"three backslashes are two"#, #"s:\n  a: 'x\\\'\ncondition: s"#, #"{"a":"x\\\\"}"#, true),
        SigmaCase(#"four backslashes are two"#, #"s:\n  a: 'x\\\\'\ncondition: s"#, #"{"a":"x\\\\"}"#, true),
        SigmaCase(#"a trailing backslash is literal"#, #"s:\n  a: 'x\'\ncondition: s"#, #"{"a":"x\\"}"#, true),
    ]

    @Test(arguments: escapes)
    func escaping(_ testCase: SigmaCase) throws {
        let detection = testCase.detection.replacingOccurrences(of: #"\n"#, with: "\n")
        #expect(try SigmaTestSupport.matches(detection, testCase.record) == testCase.expected)
    }

    static let conditions: [SigmaCase] = [
        SigmaCase(
            "not binds tighter than and",
            "a:\n  x: 1\nb:\n  y: 1\ncondition: not a and b",
            #"{"x":2,"y":1}"#,
            true
        ),
        SigmaCase(
            "and binds tighter than or",
            "a:\n  x: 1\nb:\n  y: 1\nc:\n  z: 1\ncondition: a or b and c",
            #"{"x":1,"y":2,"z":2}"#,
            true
        ),
        SigmaCase(
            "parentheses override",
            "a:\n  x: 1\nb:\n  y: 1\nc:\n  z: 1\ncondition: (a or b) and c",
            #"{"x":1,"y":2,"z":2}"#,
            false
        ),
        SigmaCase("not over parentheses", "a:\n  x: 1\nb:\n  y: 1\ncondition: not (a or b)", #"{"x":2,"y":2}"#, true),
        SigmaCase("double not", "a:\n  x: 1\ncondition: not not a", #"{"x":1}"#, true),
        SigmaCase("1 of pattern", "sel_a:\n  x: 1\nsel_b:\n  y: 1\ncondition: 1 of sel_*", #"{"y":1}"#, true),
        SigmaCase("any of is 1 of", "sel_a:\n  x: 1\nsel_b:\n  y: 1\ncondition: any of sel*", #"{"x":1}"#, true),
        SigmaCase("all of pattern", "sel_a:\n  x: 1\nsel_b:\n  y: 1\ncondition: all of sel_*", #"{"y":1}"#, false),
        SigmaCase(
            "all of pattern, both",
            "sel_a:\n  x: 1\nsel_b:\n  y: 1\ncondition: all of sel_*",
            #"{"x":1,"y":1}"#,
            true
        ),
        SigmaCase("1 of them", "a:\n  x: 1\nb:\n  y: 1\ncondition: 1 of them", #"{"y":1}"#, true),
        SigmaCase("all of them", "a:\n  x: 1\nb:\n  y: 1\ncondition: all of them", #"{"y":1}"#, false),
        SigmaCase("them ignores _ identifiers", "a:\n  x: 1\n_b:\n  y: 1\ncondition: all of them", #"{"x":1}"#, true),
        SigmaCase(
            "_ identifiers can be named",
            "a:\n  x: 1\n_b:\n  y: 1\ncondition: a and not _b",
            #"{"x":1,"y":1}"#,
            false
        ),
        SigmaCase(
            "x of binds tighter than not",
            "sel_a:\n  x: 1\nsel_b:\n  y: 1\ncondition: not 1 of sel_*",
            #"{"z":1}"#,
            true
        ),
        SigmaCase("identifiers with dashes", "sel-a:\n  x: 1\ncondition: sel-a", #"{"x":1}"#, true),
        SigmaCase(
            "a list of conditions is an OR",
            "a:\n  x: 1\nb:\n  y: 1\ncondition:\n  - a\n  - b",
            #"{"y":1}"#,
            true
        ),
    ]

    @Test(arguments: conditions)
    func condition(_ testCase: SigmaCase) throws {
        #expect(try SigmaTestSupport.matches(testCase.detection, testCase.record) == testCase.expected)
    }

    static let nullsAndArrays: [SigmaCase] = [
        SigmaCase("null matches an absent field", "s:\n  e: null\ncondition: s", #"{"a":1}"#, true),
        SigmaCase("null matches a JSON null", "s:\n  e: null\ncondition: s", #"{"e":null}"#, true),
        SigmaCase("null does not match a value", "s:\n  e: null\ncondition: s", #"{"e":"x"}"#, false),
        SigmaCase("null does not match an empty string", "s:\n  e: null\ncondition: s", #"{"e":""}"#, false),
        SigmaCase("'' does not match an absent field", "s:\n  e: ''\ncondition: s", #"{"a":1}"#, false),
        SigmaCase("not null means present with a value", "s:\n  e: null\ncondition: not s", #"{"e":"x"}"#, true),
        SigmaCase(
            "an array matches when any element does",
            "s:\n  t.n: b\ncondition: s",
            #"{"t":[{"n":"a"},{"n":"b"}]}"#,
            true
        ),
        SigmaCase(
            "not over an array negates the whole predicate",
            "s:\n  t.n: b\ncondition: not s",
            #"{"t":[{"n":"a"},{"n":"b"}]}"#,
            false
        ),
        SigmaCase(
            "not over an array without the value",
            "s:\n  t.n: c\ncondition: not s",
            #"{"t":[{"n":"a"},{"n":"b"}]}"#,
            true
        ),
        SigmaCase("arrays of scalars", "s:\n  t: b\ncondition: s", #"{"t":["a","b"]}"#, true),
        SigmaCase("nested arrays", "s:\n  t: b\ncondition: s", #"{"t":[["a"],["b"]]}"#, true),
        SigmaCase("an empty array is absent for null", "s:\n  t: null\ncondition: s", #"{"t":[]}"#, false),
        SigmaCase(
            "a literal dotted key",
            "s:\n  userIdentity.type: Root\ncondition: s",
            #"{"userIdentity.type":"Root"}"#,
            true
        ),
        SigmaCase(
            "a nested path",
            "s:\n  userIdentity.type: Root\ncondition: s",
            #"{"userIdentity":{"type":"Root"}}"#,
            true
        ),
        SigmaCase("field names are case-sensitive", "s:\n  EventName: x\ncondition: s", #"{"eventName":"x"}"#, false),
        SigmaCase("a longer dotted key wins", "s:\n  a.b.c: x\ncondition: s", #"{"a.b":{"c":"x"}}"#, true),
    ]

    @Test(arguments: nullsAndArrays)
    func nullsExistsAndArrays(_ testCase: SigmaCase) throws {
        #expect(try SigmaTestSupport.matches(testCase.detection, testCase.record) == testCase.expected)
    }

    static let keywords: [SigmaCase] = [
        SigmaCase(
            "a keyword is a case-insensitive substring of a value",
            "k:\n  - FAILED password\ncondition: k",
            #"{"m":"sshd: Failed password for root"}"#,
            true
        ),
        SigmaCase(
            "keywords do not search member names",
            "k:\n  - break-glass\ncondition: k",
            #"{"break-glass":"true"}"#,
            false
        ),
        SigmaCase(
            "keywords search nested values",
            "k:\n  - needle\ncondition: k",
            #"{"a":{"b":["x","the needle"]}}"#,
            true
        ),
        SigmaCase("keywords search numbers as text", "k:\n  - 4625\ncondition: k", #"{"id":4625}"#, true),
        SigmaCase("a keyword list is an OR", "k:\n  - alpha\n  - beta\ncondition: k", #"{"m":"beta"}"#, true),
        SigmaCase(
            "|all keywords need every keyword",
            "k:\n  '|all':\n    - alpha\n    - beta\ncondition: k",
            #"{"m":"alpha","n":"beta"}"#,
            true
        ),
        SigmaCase(
            "|all keywords fail with one missing",
            "k:\n  '|all':\n    - alpha\n    - beta\ncondition: k",
            #"{"m":"alpha"}"#,
            false
        ),
        SigmaCase(
            "keywords keep wildcards",
            "k:\n  - 'user * from'\ncondition: k",
            #"{"m":"invalid user bob from 1.2.3.4"}"#,
            true
        ),
    ]

    @Test(arguments: keywords)
    func keyword(_ testCase: SigmaCase) throws {
        #expect(try SigmaTestSupport.matches(testCase.detection, testCase.record) == testCase.expected)
    }

    @Test func keywordsSearchARawLine() throws {
        let rule = try SigmaTestSupport.rule("k:\n  - 'Invalid user'\ncondition: k")
        #expect(rule.matches(.string("Dec  1 10:00:00 host sshd[1]: invalid USER admin from 10.0.0.1")))
        #expect(!rule.matches(.string("Dec  1 10:00:00 host sshd[1]: Accepted publickey")))
    }

    @Test func fieldRulesNeverMatchARawLine() throws {
        let rule = try SigmaTestSupport.rule("s:\n  m|contains: x\ncondition: s")
        #expect(!rule.matches(.string("x")))
    }
}
