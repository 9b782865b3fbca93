// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinCore

/// The CloudEvents conformance corpora (Apache-2.0, see NOTICE): every valid case is accepted,
/// every invalid case rejected.
struct CloudEventConformanceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let document: JSONValue
        let isBatch: Bool
        let isValid: Bool
        var testDescription: String { name }
    }

    static func fixtures() throws -> URL {
        try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
            .appendingPathComponent("cloudevents-conformance")
    }

    static func load(_ url: URL) throws -> JSONValue {
        try JSONParser().parse(Array(try Data(contentsOf: url)))
    }

    static func formatTests() throws -> [Case] {
        let directory = try fixtures().appendingPathComponent("conformance-format-tests/json")
        var cases: [Case] = []
        for (file, isBatch, isValid) in [
            ("valid-events.json", false, true), ("invalid-events.json", false, false),
            ("valid-batches.json", true, true), ("invalid-batches.json", true, false),
        ] {
            let suite = try load(directory.appendingPathComponent(file))
            guard case .array(let tests) = suite["tests"] else { continue }
            for test in tests {
                let document = isBatch ? test["batch"] : test["event"]
                cases.append(
                    Case(
                        name: "\(file) \(test["id"]?.stringValue ?? "?")",
                        document: document ?? .null,
                        isBatch: isBatch,
                        isValid: isValid
                    )
                )
            }
        }
        return cases
    }

    static func fileTests() throws -> [Case] {
        let invalid: Set<String> = [
            "fail_numeric_decimal.json", "fail_numeric_long.json", "json_data_with_ext_invalid.json",
            "json_data_with_ext_upper_case.json", "json-format-v1.0.2-block00.json",
            "json-format-v1.0.2-block08.json",
        ]
        var cases: [Case] = []
        for folder in ["sdk-java-json", "spec-examples"] {
            let directory = try fixtures().appendingPathComponent(folder)
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            for file in files where file.hasSuffix(".json") && !file.contains("schema") {
                cases.append(
                    Case(
                        name: "\(folder)/\(file)",
                        document: try load(directory.appendingPathComponent(file)),
                        isBatch: false,
                        isValid: !invalid.contains(file)
                    )
                )
            }
        }
        return cases
    }

    @Test("conformance format tests", arguments: try formatTests())
    func formatConformance(_ test: Case) {
        check(test)
    }

    @Test("sdk-java vectors and spec examples", arguments: try fileTests())
    func fileConformance(_ test: Case) {
        check(test)
    }

    @Test("the corpora are all there")
    func corpusSize() throws {
        #expect(try Self.formatTests().count == 43)
        #expect(try Self.fileTests().count == 25)
    }

    private func check(_ test: Case) {
        let decoder = CloudEventDecoder()
        do {
            if test.isBatch {
                _ = try decoder.decode(batch: test.document)
            } else {
                _ = try decoder.decode(json: test.document)
            }
            #expect(test.isValid, "accepted an invalid event")
        } catch {
            #expect(!test.isValid, "rejected a valid event: \(error)")
        }
    }
}
