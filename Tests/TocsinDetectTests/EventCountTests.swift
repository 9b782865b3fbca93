// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinDetect

func countRule(
    _ condition: CountCondition,
    window seconds: Int64 = 60,
    lateness: Int64 = 0,
    suppression: Int64? = nil,
    maximumGroups: Int = 1000
) -> DetectionRule {
    DetectionRule(
        id: "count",
        kind: .eventCount(window: seconds * 1000, condition: condition),
        allowedLateness: lateness,
        suppression: suppression,
        maximumGroups: maximumGroups
    )
}

@Suite("Event count")
struct EventCountTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var condition: CountCondition
        var steps: [Step]
        var expected: [String]
        var testDescription: String { name }
    }

    static let operators: [Case] = [
        Case(
            name: "gte 3 within the window",
            condition: .gte(3),
            steps: burst(3, from: 0, every: 10),
            expected: ["g:1,2,3"]
        ),
        Case(
            name: "gte 3 spread wider than the window",
            condition: .gte(3),
            steps: burst(3, from: 0, every: 50),
            expected: []
        ),
        Case(name: "gt 2 is gte 3", condition: .gt(2), steps: burst(3, from: 0, every: 10), expected: ["g:1,2,3"]),
        Case(name: "gt 3 needs a fourth", condition: .gt(3), steps: burst(3, from: 0, every: 10), expected: []),
        Case(
            name: "gt 3 with a fourth",
            condition: .gt(3),
            steps: burst(4, from: 0, every: 10),
            expected: ["g:1,2,3,4"]
        ),
        Case(name: "window edge included", condition: .gte(2), steps: [.at(0), .at(60)], expected: ["g:1,2"]),
        Case(name: "just past the window edge", condition: .gte(2), steps: [.at(0), .at(60.001)], expected: []),
        Case(
            name: "groups count apart",
            condition: .gte(2),
            steps: [.at(0, "a"), .at(1, "b"), .at(2, "b")],
            expected: ["b:2,3"]
        ),
        Case(name: "gte 1 fires on the first event", condition: .gte(1), steps: [.at(5)], expected: ["g:1"]),
        // Closing conditions: decided once the clock passes the window's end.
        Case(name: "lt 3 with two", condition: .lt(3), steps: [.at(0), .at(10), .clock(61)], expected: ["g:1,2"]),
        Case(name: "lt 3 with three", condition: .lt(3), steps: [.at(0), .at(10), .at(20), .clock(61)], expected: []),
        Case(name: "lte 2 with two", condition: .lte(2), steps: [.at(0), .at(10), .clock(61)], expected: ["g:1,2"]),
        Case(
            name: "lte 2 with three",
            condition: .lte(2),
            steps: [.at(0), .at(10), .at(20), .clock(61)],
            expected: []
        ),
        Case(
            name: "eq 3 with three",
            condition: .eq(3),
            steps: [.at(0), .at(10), .at(20), .clock(61)],
            expected: ["g:1,2,3"]
        ),
        Case(
            name: "eq 3 with four",
            condition: .eq(3),
            steps: burst(4, from: 0, every: 10) + [.clock(61)],
            expected: []
        ),
        Case(name: "eq 3 with two", condition: .eq(3), steps: [.at(0), .at(10), .clock(61)], expected: []),
        Case(name: "range 2...3 with one", condition: .range(2, 3), steps: [.at(0), .clock(61)], expected: []),
        Case(
            name: "range 2...3 with two",
            condition: .range(2, 3),
            steps: [.at(0), .at(10), .clock(61)],
            expected: ["g:1,2"]
        ),
        Case(
            name: "range 2...3 with four",
            condition: .range(2, 3),
            steps: burst(4, from: 0, every: 10) + [.clock(61)],
            expected: []
        ),
        Case(name: "closing waits for the end", condition: .lt(3), steps: [.at(0), .at(10), .clock(60)], expected: []),
        Case(
            name: "an event past the end closes the window",
            condition: .lt(3),
            steps: [.at(0), .at(10), .at(70)],
            expected: ["g:1,2"]
        ),
        Case(
            name: "the next window opens at the next event",
            condition: .lt(3),
            steps: [.at(0), .at(10), .at(70), .at(80), .at(90), .clock(200)],
            expected: ["g:1,2"]
        ),
        Case(
            name: "each window decided once",
            condition: .lt(3),
            steps: [.at(0), .at(70), .clock(200)],
            expected: ["g:1", "g:2"]
        ),
    ]

    @Test("every condition operator", arguments: operators)
    func conditionOperators(_ testCase: Case) throws {
        var harness = try DetectionHarness(countRule(testCase.condition))
        harness.run(testCase.steps)
        #expect(harness.summary == testCase.expected)
    }

    static let straddles: [(String, [Step])] = [
        ("minute boundary", [.at(57), .at(58), .at(59), .at(61), .at(62)]),
        ("hour boundary", [.at(3597), .at(3598), .at(3599.5), .at(3600.5), .at(3602)]),
        ("day boundary", [.at(86_398), .at(86_399), .at(86_399.999), .at(86_400), .at(86_401)]),
        ("window-sized bucket boundary", [.at(110), .at(115), .at(119), .at(121), .at(125)]),
    ]

    @Test("a burst straddling a fixed bucket boundary still fires", arguments: straddles)
    func straddlingBursts(_ name: String, _ steps: [Step]) throws {
        var harness = try DetectionHarness(countRule(.gte(5)))
        harness.run(steps)
        #expect(harness.summary == ["g:1,2,3,4,5"])
        #expect(harness.alerts.first?.time == steps.last?.milliseconds)
        #expect(harness.alerts.first?.firstTime == steps.first?.milliseconds)
    }

    @Test("50 failures within a minute raise one alert; without suppression, 46")
    func suppression() throws {
        let steps = burst(50, from: 0, every: 1.2)
        var suppressed = try DetectionHarness(countRule(.gte(5)))
        suppressed.run(steps)
        #expect(suppressed.summary == ["g:1,2,3,4,5"])
        #expect(suppressed.statistics.suppressed == 45)
        var unsuppressed = try DetectionHarness(countRule(.gte(5), suppression: 0))
        unsuppressed.run(steps)
        #expect(unsuppressed.alerts.count == 46)
    }

    @Test("a steady flow raises one alert per suppression period")
    func steadyFlow() throws {
        var harness = try DetectionHarness(countRule(.gte(5)))
        harness.run(burst(150, from: 0, every: 1.2))
        #expect(harness.alerts.map(\.time) == [4800, 60_000, 120_000])
        #expect(harness.alerts.map(\.evidence) == [[1, 2, 3, 4, 5], [47, 48, 49, 50, 51], [97, 98, 99, 100, 101]])
        var longer = try DetectionHarness(countRule(.gte(5), suppression: 300_000))
        longer.run(burst(150, from: 0, every: 1.2))
        #expect(longer.alerts.count == 1)
    }

    @Test("a burst straddling a suppression period boundary raises at most two alerts")
    func burstAcrossPeriods() throws {
        var harness = try DetectionHarness(countRule(.gte(5)))
        harness.run(burst(20, from: 55, every: 0.5))
        #expect(harness.alerts.map(\.time) == [57_000, 60_000])
    }

    struct LatenessCase: Sendable, CustomTestStringConvertible {
        var name: String
        var lateness: Int64
        var steps: [Step]
        var expected: [String]
        var late: [Int64]
        var testDescription: String { name }
    }

    static let lateness: [LatenessCase] = [
        LatenessCase(
            name: "out of order within the lateness is counted",
            lateness: 30_000,
            steps: [.at(10), .at(40), .at(20)],
            expected: ["g:1,3,2"],
            late: []
        ),
        LatenessCase(
            name: "older than the watermark is late and not applied",
            lateness: 5000,
            steps: [.at(10), .at(40), .at(20)],
            expected: [],
            late: [3]
        ),
        LatenessCase(
            name: "no lateness: an equal time is not late",
            lateness: 0,
            steps: [.at(10), .at(40), .at(40)],
            expected: ["g:1,2,3"],
            late: []
        ),
        LatenessCase(
            name: "the watermark is engine-wide: another group's time counts",
            lateness: 30_000,
            steps: [.at(100, "b"), .at(50, "a"), .at(75, "a"), .at(76, "a"), .at(77, "a")],
            expected: ["a:3,4,5"],
            late: [2]
        ),
        LatenessCase(
            name: "an out-of-order event completes a window with older ones",
            lateness: 120_000,
            steps: [.at(10), .at(30), .at(100), .at(20)],
            expected: ["g:1,4,2"],
            late: []
        ),
        LatenessCase(
            name: "the clock moves the watermark too",
            lateness: 10_000,
            steps: [.at(10), .clock(50), .at(20), .at(75), .at(76)],
            expected: [],
            late: [3]
        ),
    ]

    @Test("lateness", arguments: lateness)
    func latenessTable(_ testCase: LatenessCase) throws {
        var harness = try DetectionHarness(countRule(.gte(3), lateness: testCase.lateness))
        harness.run(testCase.steps)
        #expect(harness.summary == testCase.expected)
        #expect(harness.lateSequences == testCase.late)
        #expect(harness.statistics.late == testCase.late.count)
        #expect(harness.statistics.applied == testCase.steps.filter { !$0.isClockOnly }.count - testCase.late.count)
    }

    @Test("evidence lists the first N and the last one; count and identity")
    func boundedEvidence() throws {
        var harness = try DetectionHarness(countRule(.gte(15)), evidenceLimit: 4)
        harness.run(burst(15, from: 0, every: 1))
        let alert = try #require(harness.alerts.first)
        #expect(alert.evidence == [1, 2, 3, 4, 15])
        #expect(alert.count == 15)
        #expect(alert.kind == .eventCount)
        #expect(alert.identity == "count:\(hex(Alert.digest(of: ["g"]))):1:15")
        #expect(Alert.digest(of: ["a", "b"]) != Alert.digest(of: ["ab"]))
    }

    @Test("the threshold of a pattern rule is an event count gte within seconds")
    func threshold() throws {
        let rule = DetectionRule.threshold(id: "ssh-bruteforce", count: 5, withinSeconds: 60)
        #expect(rule.kind == .eventCount(window: 60_000, condition: .gte(5)))
        var harness = try DetectionHarness(rule)
        harness.run(burst(5, from: 30, every: 14) + burst(5, from: 200, every: 15.1))
        #expect(harness.summary == ["g:1,2,3,4,5"])
    }
}

func hex(_ value: UInt64) -> String {
    let text = String(value, radix: 16)
    return String(repeating: "0", count: 16 - text.count) + text
}
