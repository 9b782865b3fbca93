// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinCore
import TocsinRules

/// The event-pattern conformance corpus (ours, verified against event-ruler): every case gives the
/// expected answer, from the reference matcher and from a machine holding the pattern.
struct ConformanceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let id: String
        let line: [UInt8]
        let pattern: JSONValue
        let event: JSONValue?
        let expected: Bool?
        var testDescription: String { id }
    }

    static func cases() throws -> [Case] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
            .appendingPathComponent("event-patterns/cases.jsonl")
        let text = try String(contentsOf: url, encoding: .utf8)
        let parser = JSONParser(limits: .init(allowsDuplicateMembers: true))
        return try text.split(separator: "\n").map { line in
            let bytes = Array(line.utf8)
            let value = try parser.parse(bytes)
            var event: JSONValue?
            if case .string(let raw) = value["event"] {
                event = try JSONParser().parse(raw)
            } else {
                event = value["event"]
            }
            var expected: Bool?
            if case .bool(let match) = value["match"] {
                expected = match
            }
            return Case(
                id: value["id"]?.stringValue ?? "?",
                line: bytes,
                pattern: try #require(value["pattern"]),
                event: event,
                expected: expected
            )
        }
    }

    @Test func corpusIsComplete() throws {
        // The 443 shared cases and Tocsin's own cidr-032 to cidr-035.
        #expect(try Self.cases().count == 447)
    }

    @Test(arguments: try cases())
    func referenceMatcher(_ testCase: Case) throws {
        let answer = PatternTestLine.evaluate(testCase.line)
        if let expected = testCase.expected {
            #expect(answer["match"] == .bool(expected), "\(answer)")
        } else {
            #expect(answer["error"] != nil, "an invalid pattern was accepted")
        }
    }

    @Test(arguments: try cases().filter { $0.expected != nil })
    func compiledMachine(_ testCase: Case) throws {
        let pattern = try PatternTestLine.compile(testCase.pattern)
        let machine = PatternMachine(rules: [.init(name: "rule", pattern: pattern)])
        let event = try #require(testCase.event)
        #expect(machine.matchingRules(event) == (testCase.expected == true ? ["rule"] : []))
    }

    /// All satisfiable corpus patterns in one machine: each event must get exactly the rules whose
    /// patterns the reference matcher accepts (rules share paths, indexes and candidates here).
    @Test func allPatternsInOneMachine() throws {
        let cases = try Self.cases().filter { $0.expected != nil }
        let patterns = try cases.map { try PatternTestLine.compile($0.pattern) }
        let machine = PatternMachine(
            rules: patterns.enumerated().map { .init(name: "\($0.offset)", pattern: $0.element) }
        )
        let context = MatchContext()
        for testCase in cases {
            let event = try #require(testCase.event)
            machine.match(event, context: context)
            let expected = patterns.indices.filter { patterns[$0].matches(event) }.map(Int32.init)
            #expect(context.matchedRules == expected, "\(testCase.id)")
        }
    }
}
