// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinDetect

@Suite("State bounds and rule validation")
struct StateBoundsTests {
    @Test("past maximumGroups the least recently used live group is evicted and counted")
    func liveEviction() throws {
        var harness = try DetectionHarness(countRule(.gte(2), maximumGroups: 3))
        harness.run([.at(0, "a"), .at(1, "b"), .at(2, "c"), .at(3, "d"), .at(4, "a"), .at(5, "c")])
        // "a" was evicted by "d", so its second event starts over; "c" survived ("b" went when "a" came back).
        #expect(harness.summary == ["c:3,6"])
        #expect(harness.statistics.evicted == 2)
        #expect(harness.statistics.expired == 0)
        #expect(harness.statistics.groups == 3)
    }

    @Test("expired groups are dropped first and counted apart")
    func expiredFirst() throws {
        var harness = try DetectionHarness(countRule(.gte(2), maximumGroups: 3))
        harness.run([.at(0, "a"), .at(1, "b"), .at(2, "c"), .at(200, "d"), .at(201, "e"), .at(202, "d")])
        #expect(harness.summary == ["d:4,6"])
        #expect(harness.statistics.expired == 3)
        #expect(harness.statistics.evicted == 0)
        #expect(harness.statistics.groups == 2)
    }

    @Test("one group per distinct key, however many events")
    func groupsStayBounded() throws {
        var harness = try DetectionHarness(countRule(.gte(1000), maximumGroups: 100))
        harness.run((0..<10_000).map { .at(Double($0) / 100, "k\($0 % 250)") })
        #expect(harness.statistics.groups == 100)
        #expect(harness.statistics.evicted == 10_000 - 100)
        #expect(harness.alerts.isEmpty)
    }

    static let invalid: [(DetectionRule, DetectionError.Code)] = [
        (DetectionRule(id: "w", kind: .eventCount(window: 0, condition: .gte(1))), .window),
        (DetectionRule(id: "c", kind: .eventCount(window: 1000, condition: .gte(0))), .condition),
        (DetectionRule(id: "c", kind: .eventCount(window: 1000, condition: .lt(1))), .condition),
        (DetectionRule(id: "c", kind: .eventCount(window: 1000, condition: .range(5, 2))), .condition),
        (DetectionRule(id: "c", kind: .eventCount(window: 1000, condition: .gte(10_001))), .condition),
        (DetectionRule(id: "v", kind: .valueCount(window: 1000, condition: .lt(3))), .condition),
        (DetectionRule(id: "t", kind: .temporal(window: 1000, rules: ["a"], condition: nil)), .limit),
        (DetectionRule(id: "t", kind: .temporal(window: 1000, rules: ["a", "b"], condition: .gte(3))), .condition),
        (DetectionRule(id: "o", kind: .temporalOrdered(window: 1000, rules: ["a"])), .limit),
        (DetectionRule(id: "l", kind: .absence(after: 1000), allowedLateness: -1), .window),
        (DetectionRule(id: "g", kind: .absence(after: 1000), maximumGroups: 0), .limit),
        (DetectionRule(id: "s", kind: .absence(after: 1000), suppression: -5), .window),
        (
            DetectionRule(id: "f", kind: .firstSeen(learning: -1, maximumValuesPerGroup: 5, alertsOnNewGroup: false)),
            .window
        ),
        (
            DetectionRule(id: "f", kind: .firstSeen(learning: 0, maximumValuesPerGroup: 0, alertsOnNewGroup: false)),
            .limit
        ),
        (DetectionRule(id: "i", kind: .impossibleTravel(maximumKilometresPerHour: 0, minimumKilometres: 10)), .limit),
        (
            DetectionRule(id: "i", kind: .impossibleTravel(maximumKilometresPerHour: .nan, minimumKilometres: 10)),
            .limit
        ),
        (DetectionRule(id: "", kind: .absence(after: 1000)), .limit),
    ]

    @Test("invalid rules are refused with a code and the rule id", arguments: invalid)
    func invalidRules(_ rule: DetectionRule, _ code: DetectionError.Code) {
        #expect(rule.problems.map(\.code) == [code])
        #expect(throws: DetectionError(rule: rule.id, code: code, message: rule.problems.first?.message ?? "")) {
            try DetectionEngine(rules: [rule])
        }
    }

    @Test("two rules with one id are refused")
    func duplicateIds() {
        let rule = DetectionRule(id: "same", kind: .absence(after: 1000))
        #expect(
            performing: { try DetectionEngine(rules: [rule, rule]) },
            throws: { ($0 as? DetectionError)?.code == .duplicateRule }
        )
    }
}
