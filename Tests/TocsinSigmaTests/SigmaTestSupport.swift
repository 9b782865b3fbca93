// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinSigma

/// Builds small rules from a detection block and evaluates them on JSON records.
enum SigmaTestSupport {
    /// A rule file around `detection` (indented YAML lines, without the `detection:` key).
    static func ruleText(_ detection: String, logsource: String = "product: test") -> String {
        let indented = detection.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.isEmpty ? "" : "    " + $0 }
            .joined(separator: "\n")
        return """
            title: test rule
            id: 00000000-0000-0000-0000-000000000001
            logsource:
                \(logsource)
            detection:
            \(indented)
            level: high

            """
    }

    static func compile(_ detection: String, options: SigmaCompileOptions = SigmaCompileOptions()) -> SigmaCollection {
        SigmaCollection(text: ruleText(detection), file: "test.yml", options: options)
    }

    static func rule(_ detection: String, options: SigmaCompileOptions = SigmaCompileOptions()) throws -> SigmaRule {
        let collection = compile(detection, options: options)
        #expect(collection.diagnostics.isEmpty, "\(collection.diagnostics)")
        return try #require(collection.rules.first)
    }

    static func record(_ json: String) throws -> JSONValue {
        try JSONParser().parse(json)
    }

    /// Whether the rule of `detection` matches the JSON record `json`.
    static func matches(
        _ detection: String,
        _ json: String,
        options: SigmaCompileOptions = SigmaCompileOptions()
    ) throws -> Bool {
        try rule(detection, options: options).matches(try record(json))
    }
}

/// One authored case: a detection, a record, the expected answer.
struct SigmaCase: Sendable, CustomTestStringConvertible {
    let name: String
    let detection: String
    let record: String
    let expected: Bool

    init(_ name: String, _ detection: String, _ record: String, _ expected: Bool) {
        self.name = name
        self.detection = detection
        self.record = record
        self.expected = expected
    }

    var testDescription: String { name }
}
