// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinDetect

@Suite("Value count")
struct ValueCountTests {
    static func rule(_ condition: CountCondition, suppression: Int64? = nil) -> DetectionRule {
        DetectionRule(id: "spray", kind: .valueCount(window: 60_000, condition: condition), suppression: suppression)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var condition: CountCondition = .gte(3)
        var steps: [Step]
        var expected: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "three distinct values; evidence is each value's latest event",
            steps: [
                .at(0, value: "a"), .at(1, value: "a"), .at(2, value: "b"), .at(3, value: "b"), .at(4, value: "c"),
            ],
            expected: ["g:2,4,5"]
        ),
        Case(name: "a repeated value counts once", steps: (0..<5).map { .at(Double($0), value: "a") }, expected: []),
        Case(
            name: "distinct values spread wider than the window",
            steps: [.at(0, value: "a"), .at(50, value: "b"), .at(100, value: "c")],
            expected: []
        ),
        Case(
            name: "a value seen again is counted at its latest time",
            steps: [.at(0, value: "a"), .at(50, value: "b"), .at(70, value: "a"), .at(100, value: "c")],
            expected: ["g:2,3,4"]
        ),
        Case(
            name: "gt 2 is gte 3",
            condition: .gt(2),
            steps: [.at(0, value: "a"), .at(1, value: "b"), .at(2, value: "c")],
            expected: ["g:1,2,3"]
        ),
        Case(
            name: "values of other groups do not count",
            steps: [
                .at(0, "x", value: "a"), .at(1, "y", value: "b"), .at(2, "x", value: "c"), .at(3, "x", value: "b"),
            ],
            expected: ["x:1,3,4"]
        ),
        Case(
            name: "values are compared exactly",
            steps: [.at(0, value: "a"), .at(1, value: "A"), .at(2, value: "a ")],
            expected: ["g:1,2,3"]
        ),
        Case(
            name: "one alert per suppression period",
            steps: (0..<26).map { .at(Double($0), value: String(UnicodeScalar(UInt8(97 + $0)))) },
            expected: ["g:1,2,3"]
        ),
    ]

    @Test("distinct values within the sliding window", arguments: cases)
    func distinctValues(_ testCase: Case) throws {
        var harness = try DetectionHarness(Self.rule(testCase.condition))
        harness.run(testCase.steps)
        #expect(harness.summary == testCase.expected)
        #expect(harness.alerts.allSatisfy { $0.kind == .valueCount && $0.count == testCase.condition.countNeeded })
    }

    @Test("an observation without a value is ignored and counted")
    func missingValue() throws {
        var harness = try DetectionHarness(Self.rule(.gte(2)))
        harness.run([.at(0, value: "a"), .at(1), .at(2, value: "b")])
        #expect(harness.summary == ["g:1,3"])
        #expect(harness.statistics.ignored == 1)
        #expect(harness.statistics.applied == 2)
    }
}

extension CountCondition {
    var countNeeded: Int {
        switch self {
        case .gt(let value): return value + 1
        case .gte(let value): return value
        default: return 0
        }
    }
}

@Suite("Temporal")
struct TemporalTests {
    static let names = ["login-failed", "mfa-reset", "key-created"]

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var steps: [Step]
        var unordered: [String]
        var ordered: [String]
        var testDescription: String { name }
    }

    static func step(_ seconds: Double, _ rule: Int) -> Step {
        .at(seconds, rule: rule)
    }

    static let cases: [Case] = [
        Case(
            name: "in order",
            steps: [step(0, 0), step(10, 1), step(20, 2)],
            unordered: ["g:1,2,3"],
            ordered: ["g:1,2,3"]
        ),
        Case(name: "reversed", steps: [step(0, 2), step(10, 1), step(20, 0)], unordered: ["g:1,2,3"], ordered: []),
        Case(
            name: "out of order, then completed in order",
            steps: [step(0, 0), step(1, 2), step(2, 1), step(3, 2)],
            unordered: ["g:1,2,3"],
            ordered: ["g:1,3,4"]
        ),
        Case(name: "wider than the window", steps: [step(0, 0), step(30, 1), step(61, 2)], unordered: [], ordered: []),
        Case(
            name: "the latest start is kept",
            steps: [step(0, 0), step(50, 0), step(55, 1), step(100, 2)],
            unordered: ["g:2,3,4"],
            ordered: ["g:2,3,4"]
        ),
        Case(name: "a missing rule", steps: [step(0, 0), step(1, 0), step(2, 1)], unordered: [], ordered: []),
        Case(
            name: "other groups do not join",
            steps: [.at(0, "a", rule: 0), .at(1, "b", rule: 1), .at(2, "a", rule: 2), .at(3, "a", rule: 1)],
            unordered: ["a:1,3,4"],
            ordered: []
        ),
    ]

    @Test("ordered versus unordered", arguments: cases)
    func orderedVersusUnordered(_ testCase: Case) throws {
        var unordered = try DetectionHarness(
            DetectionRule(id: "t", kind: .temporal(window: 60_000, rules: Self.names, condition: nil))
        )
        unordered.run(testCase.steps)
        #expect(unordered.summary == testCase.unordered)
        var ordered = try DetectionHarness(
            DetectionRule(id: "o", kind: .temporalOrdered(window: 60_000, rules: Self.names))
        )
        ordered.run(testCase.steps)
        #expect(ordered.summary == testCase.ordered)
        #expect(ordered.alerts.allSatisfy { $0.kind == .temporalOrdered && $0.count == 3 })
    }

    @Test("a condition counts distinct rules: any two of three")
    func anyTwo() throws {
        var harness = try DetectionHarness(
            DetectionRule(id: "t", kind: .temporal(window: 60_000, rules: Self.names, condition: .gte(2)))
        )
        harness.run([Self.step(0, 0), Self.step(1, 0), Self.step(2, 2)])
        #expect(harness.summary == ["g:2,3"])
        #expect(harness.alerts.first?.count == 2)
    }

    @Test("a name listed twice needs two events")
    func repeatedName() throws {
        let rule = DetectionRule(id: "o", kind: .temporalOrdered(window: 60_000, rules: ["a", "a", "b"]))
        var once = try DetectionHarness(rule)
        once.run([Self.step(0, 0), Self.step(1, 2)])
        #expect(once.alerts.isEmpty)
        var twice = try DetectionHarness(rule)
        twice.run([Self.step(0, 0), Self.step(1, 1), Self.step(2, 2)])
        #expect(twice.summary == ["g:1,2,3"])
    }

    @Test("an unknown referenced rule is ignored and counted")
    func unknownReference() throws {
        var harness = try DetectionHarness(
            DetectionRule(id: "t", kind: .temporal(window: 60_000, rules: Self.names, condition: nil))
        )
        harness.run([Self.step(0, 7)])
        #expect(harness.statistics.ignored == 1)
        #expect(harness.statistics.groups == 0)
    }
}
