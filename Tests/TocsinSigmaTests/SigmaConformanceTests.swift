// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinCore
import TocsinSigma

/// The SigmaHQ corpus, rule by rule: each rule, evaluated on every record of its log source, matches
/// exactly the lines `expectations.json` lists.
struct SigmaConformanceTests {
    @Test func corpusIsComplete() throws {
        #expect(try SigmaCorpus.cases().count == 276)
        #expect(try SigmaCorpus.placeholderCases().count == 9)
    }

    @Test func theDefaultFieldMappingIsTheCorpusMapping() throws {
        let json = try JSONParser().parse(try SigmaCorpus.text("field_mappings.json"))
        #expect(try SigmaFieldMapping(json: json) == .defaults)
    }

    @Test("each rule matches exactly the expected lines", arguments: try SigmaCorpus.cases())
    func rule(_ testCase: SigmaCorpus.Case) throws {
        let collection = try SigmaCorpus.compile(testCase.rule)
        #expect(collection.diagnostics.isEmpty, "\(collection.diagnostics)")
        let rule = try #require(collection.rules.first)
        let records = try SigmaCorpus.records(testCase.events)
        let matched = records.indices.filter { rule.matches(records[$0]) }.map { $0 + 1 }
        #expect(matched == testCase.matches)
    }

    @Test("placeholder rules compile when their values are given", arguments: try SigmaCorpus.placeholderCases())
    func placeholdersResolved(_ testCase: SigmaCorpus.PlaceholderCase) throws {
        let text = try SigmaCorpus.text(testCase.rule)
        let names = Self.placeholderNames(text)
        #expect(!names.isEmpty)
        let options = SigmaCompileOptions(
            placeholders: Dictionary(uniqueKeysWithValues: names.map { ($0, ["x", "y"]) })
        )
        let collection = SigmaCollection(text: text, file: testCase.rule, options: options)
        #expect(collection.diagnostics.isEmpty, "\(collection.diagnostics)")
        #expect(collection.rules.count == 1)
    }

    @Test(
        "placeholder rules are rejected with a located diagnostic without values",
        arguments: try SigmaCorpus.placeholderCases()
    )
    func placeholdersUnresolved(_ testCase: SigmaCorpus.PlaceholderCase) throws {
        let collection = try SigmaCorpus.compile(testCase.rule)
        #expect(collection.rules.isEmpty)
        let diagnostic = try #require(collection.diagnostics.first)
        #expect(diagnostic.code == .unresolvedPlaceholder)
        #expect(diagnostic.file == testCase.rule)
        let line = try #require(diagnostic.line)
        let lines = try SigmaCorpus.text(testCase.rule).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[line - 1].contains("%"), "the diagnostic points at line \(line), which has no placeholder")
    }

    /// The `%name%` placeholders of a rule text (names of letters, digits and underscores).
    static func placeholderNames(_ text: String) -> Set<String> {
        var names: Set<String> = []
        let parts = text.split(separator: "%", omittingEmptySubsequences: false)
        for part in parts.dropFirst().dropLast()
        where !part.isEmpty && part.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
            names.insert(String(part))
        }
        return names
    }
}
