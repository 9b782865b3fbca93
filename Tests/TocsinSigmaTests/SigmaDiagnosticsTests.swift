// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinSigma

/// Each rejection: the code, the line and column it points at, and a message that says what to do.
struct SigmaDiagnosticsTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let detection: String
        let code: SigmaDiagnostic.Code
        /// Line and column inside the detection block (1-based); the rule text adds 5 header lines and 4 columns.
        let line: Int
        let column: Int
        let hint: String

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "unknown modifier",
            detection: "s:\n  a|containz: x\ncondition: s",
            code: .unknownModifier,
            line: 2,
            column: 5,
            hint: "use one of"
        ),
        Case(
            name: "unknown second modifier",
            detection: "s:\n  a|contains|alll: [x, y]\ncondition: s",
            code: .unknownModifier,
            line: 2,
            column: 14,
            hint: "contains"
        ),
        Case(
            name: "unresolved placeholder",
            detection: "s:\n  a|expand: '%Known%'\ncondition: s",
            code: .unresolvedPlaceholder,
            line: 2,
            column: 13,
            hint: "--placeholder Known="
        ),
        Case(
            name: "invalid regex",
            detection: "s:\n  a|re: 'a(b'\ncondition: s",
            code: .invalidRegex,
            line: 2,
            column: 11,
            hint: "regular expression"
        ),
        Case(
            name: "unbalanced parenthesis",
            detection: "s:\n  a: x\ncondition: (s",
            code: .conditionSyntax,
            line: 3,
            column: 12,
            hint: "add ')'"
        ),
        Case(
            name: "dangling and",
            detection: "s:\n  a: x\ncondition: s and",
            code: .conditionSyntax,
            line: 3,
            column: 17,
            hint: "ends too early"
        ),
        Case(
            name: "two identifiers without operator",
            detection: "s:\n  a: x\nt:\n  b: y\ncondition: s t",
            code: .conditionSyntax,
            line: 5,
            column: 14,
            hint: "'and' or 'or'"
        ),
        Case(
            name: "unknown identifier",
            detection: "s:\n  a: x\ncondition: s and filter",
            code: .unknownIdentifier,
            line: 3,
            column: 18,
            hint: "define it"
        ),
        Case(
            name: "pattern matching nothing",
            detection: "s:\n  a: x\ncondition: 1 of sel*",
            code: .unknownIdentifier,
            line: 3,
            column: 17,
            hint: "matches no"
        ),
        Case(
            name: "2 of is not Sigma",
            detection: "s:\n  a: x\ncondition: 2 of s*",
            code: .conditionSyntax,
            line: 3,
            column: 12,
            hint: "'1 of'"
        ),
        Case(
            name: "obsolete aggregation",
            detection: "s:\n  a: x\ncondition: s | count() by b > 3",
            code: .obsoleteAggregation,
            line: 3,
            column: 14,
            hint: "correlation"
        ),
        Case(
            name: "all with one value",
            detection: "s:\n  a|contains|all: x\ncondition: s",
            code: .allWithSingleValue,
            line: 2,
            column: 3,
            hint: "remove '|all'"
        ),
        Case(
            name: "null in a list",
            detection: "s:\n  a: ['', null]\ncondition: s",
            code: .nullInList,
            line: 2,
            column: 11,
            hint: "own search identifier"
        ),
        Case(
            name: "encoding a wildcard",
            detection: "s:\n  a|base64: 'ab*'\ncondition: s",
            code: .invalidModifier,
            line: 2,
            column: 13,
            hint: "cannot encode wildcards"
        ),
        Case(
            name: "contains before an encoding",
            detection: "s:\n  a|contains|base64: 'ab'\ncondition: s",
            code: .invalidModifier,
            line: 2,
            column: 22,
            hint: "after the encoding"
        ),
        Case(
            name: "two shapes",
            detection: "s:\n  a|contains|endswith: x\ncondition: s",
            code: .invalidModifier,
            line: 2,
            column: 3,
            hint: "only one of"
        ),
        Case(
            name: "re with contains",
            detection: "s:\n  a|re|contains: x\ncondition: s",
            code: .invalidModifier,
            line: 2,
            column: 3,
            hint: "cannot be combined"
        ),
        Case(
            name: "regex flag without re",
            detection: "s:\n  a|i: x\ncondition: s",
            code: .invalidModifier,
            line: 2,
            column: 3,
            hint: "add '|re'"
        ),
        Case(
            name: "invalid cidr",
            detection: "s:\n  a|cidr: 10.0.0.300/8\ncondition: s",
            code: .invalidValue,
            line: 2,
            column: 11,
            hint: "10.0.0.0/8"
        ),
        Case(
            name: "numeric needs a number",
            detection: "s:\n  a|gt: many\ncondition: s",
            code: .invalidValue,
            line: 2,
            column: 9,
            hint: "needs a number"
        ),
        Case(
            name: "exists needs a boolean",
            detection: "s:\n  a|exists: maybe\ncondition: s",
            code: .invalidValue,
            line: 2,
            column: 13,
            hint: "true or false"
        ),
        Case(
            name: "null with a modifier",
            detection: "s:\n  a|contains: null\ncondition: s",
            code: .invalidModifier,
            line: 2,
            column: 3,
            hint: "exists: false"
        ),
        Case(
            name: "missing condition",
            detection: "s:\n  a: x",
            code: .structure,
            line: 1,
            column: 1,
            hint: "needs a 'condition'"
        ),
        Case(
            name: "empty value list",
            detection: "s:\n  a: []\ncondition: s",
            code: .invalidValue,
            line: 2,
            column: 6,
            hint: "at least one"
        ),
    ]

    @Test(arguments: cases)
    func rejected(_ testCase: Case) throws {
        let collection = SigmaTestSupport.compile(testCase.detection)
        #expect(collection.rules.isEmpty, "the rule was compiled")
        let diagnostic = try #require(collection.diagnostics.first)
        #expect(diagnostic.code == testCase.code, "\(diagnostic)")
        #expect(diagnostic.file == "test.yml")
        #expect(diagnostic.line == testCase.line + 5, "\(diagnostic)")
        #expect(diagnostic.column == testCase.column + 4, "\(diagnostic)")
        #expect(diagnostic.message.contains(testCase.hint), "\(diagnostic.message)")
    }

    @Test func hostileRegularExpressionsAreAcceptedAndBounded() throws {
        let rule = try SigmaTestSupport.rule("s:\n  a|re: '(a+)+$'\ncondition: s")
        let text = String(repeating: "a", count: 30_000) + "!"
        #expect(!rule.matches(try SigmaTestSupport.record(#"{"a":"\#(text)"}"#)))
    }

    @Test func backReferencesAreRejected() throws {
        let collection = SigmaTestSupport.compile("s:\n  a|re: '(a)\\1'\ncondition: s")
        #expect(collection.diagnostics.map(\.code) == [.invalidRegex])
    }

    @Test func everyProblemOfAFileIsReported() {
        let collection = SigmaTestSupport.compile("s:\n  a|bad1: x\nt:\n  b|bad2: y\ncondition: s and t")
        #expect(collection.diagnostics.map(\.code) == [.unknownModifier, .unknownModifier])
    }

    @Test func invalidYAMLIsLocated() throws {
        let collection = SigmaCollection(text: "title: x\ndetection:\n  s: [a\n", file: "bad.yml")
        let diagnostic = try #require(collection.diagnostics.first)
        #expect(diagnostic.code == .yaml)
        #expect(diagnostic.line != nil)
    }

    @Test func aRuleWithoutTitleOrLogsourceIsRejected() {
        let collection = SigmaCollection(text: "detection:\n  s:\n    a: x\n  condition: s\n", file: "r.yml")
        #expect(collection.rules.isEmpty)
        #expect(collection.diagnostics.map(\.code) == [.structure, .structure])
    }

    @Test func descriptionFormat() {
        let diagnostic = SigmaDiagnostic(code: .invalidRegex, file: "r.yml", line: 3, column: 7, message: "m")
        #expect(diagnostic.description == "r.yml:3:7: SIGMA-E006: m")
    }
}
