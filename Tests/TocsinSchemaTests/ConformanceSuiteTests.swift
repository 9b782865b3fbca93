// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinCore
import TocsinSchema

/// The official JSON-Schema-Test-Suite, draft 2020-12 (Fixtures/json-schema, MIT licence).
///
/// Every case of every file runs. A group whose schema uses an unsupported feature must be listed in ``skippedGroups`` and must be
/// rejected at compile time; every other case must give the suite's answer.
struct ConformanceSuiteTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let file: String
        let group: String
        let schema: JSONValue
        let cases: [(description: String, data: JSONValue, valid: Bool)]
        var testDescription: String { "\(file): \(group)" }
    }

    /// Whole files about unsupported keywords.
    static let skippedFiles: [String: String] = [
        "vocabulary.json": "custom meta-schemas ($vocabulary) are not supported"
    ]

    /// Groups (file: group description) that use an unsupported feature; their schema must fail to compile.
    static let skippedGroups: [String: String] = [
        "defs.json: validate definition against metaschema": "the 2020-12 meta-schema is not bundled",
        "ref.json: remote ref, containing refs itself": "the 2020-12 meta-schema is not bundled",
        "pattern.json: pattern with Unicode property escape requires unicode mode":
            "the bounded regex engine has no Unicode property classes (\\p{…})",
        "patternProperties.json: patternProperties with Unicode property escape":
            "the bounded regex engine has no Unicode property classes (\\p{…})",
    ]

    static var fixtures: URL {
        get throws {
            try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
                .appendingPathComponent("json-schema")
        }
    }

    /// The bundled remotes, by the `http://localhost:1234/…` URI the suite retrieves them from.
    static func remotes() throws -> [String: JSONValue] {
        let root = try fixtures.appendingPathComponent("remotes")
        var remotes: [String: JSONValue] = [:]
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        while let url = walker?.nextObject() as? URL {
            guard url.pathExtension == "json" else {
                continue
            }
            let relative = url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1)
            remotes["http://localhost:1234/" + relative] = try JSONParser().parse(Array(Data(contentsOf: url)))
        }
        return remotes
    }

    static func groups() throws -> [Case] {
        let folder = try fixtures.appendingPathComponent("tests")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
        var groups: [Case] = []
        for file in files.sorted() where skippedFiles[file] == nil {
            let document = try JSONParser().parse(Array(Data(contentsOf: folder.appendingPathComponent(file))))
            guard case .array(let entries) = document else {
                continue
            }
            for entry in entries {
                guard case .array(let tests) = entry["tests"] else {
                    continue
                }
                groups.append(
                    Case(
                        file: file,
                        group: entry["description"]?.stringValue ?? "?",
                        schema: try #require(entry["schema"]),
                        cases: tests.map { test in
                            (
                                test["description"]?.stringValue ?? "?", test["data"] ?? .null,
                                test["valid"] == .bool(true)
                            )
                        }
                    )
                )
            }
        }
        return groups
    }

    @Test func theSuiteIsComplete() throws {
        let groups = try Self.groups()
        #expect(Set(groups.map(\.file)).count == 45)
        #expect(groups.reduce(0) { $0 + $1.cases.count } > 1_000)
        for key in Self.skippedGroups.keys {
            #expect(groups.contains { $0.testDescription == key }, "\(key) is listed but not in the suite")
        }
    }

    @Test(arguments: try groups())
    func group(_ group: Case) throws {
        let remotes = try Self.remotes()
        if Self.skippedGroups[group.testDescription] != nil {
            #expect(throws: SchemaError.self, "a schema with an unsupported feature was accepted") {
                try JSONSchema(group.schema, remotes: remotes)
            }
            return
        }
        let schema = try JSONSchema(group.schema, remotes: remotes)
        for test in group.cases {
            let violations = schema.validate(test.data)
            #expect(violations.isEmpty == test.valid, "\(test.description): \(violations)")
            #expect(schema.isValid(test.data) == test.valid, "\(test.description) (isValid)")
        }
    }
}
