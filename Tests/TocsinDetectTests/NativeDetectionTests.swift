// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinDetect

let hour = 3600.0

@Suite("First-seen")
struct FirstSeenTests {
    static func rule(maximumValues: Int = 10, alertsOnNewGroup: Bool = false) -> DetectionRule {
        DetectionRule(
            id: "new-country",
            kind: .firstSeen(
                learning: 86_400_000,
                maximumValuesPerGroup: maximumValues,
                alertsOnNewGroup: alertsOnNewGroup
            )
        )
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var rule: DetectionRule = FirstSeenTests.rule()
        var steps: [Step]
        var expected: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "values seen while learning are learned silently",
            steps: [
                .at(0, "alice", value: "FR"), .at(hour, "alice", value: "DE"), .at(25 * hour, "alice", value: "FR"),
            ],
            expected: []
        ),
        Case(
            name: "a new value after learning raises once",
            steps: [
                .at(0, "alice", value: "FR"), .at(25 * hour, "alice", value: "US"),
                .at(26 * hour, "alice", value: "US"),
            ],
            expected: ["alice:US:2"]
        ),
        Case(
            name: "learning ends one period after the rule's first event",
            steps: [
                .at(100 * hour, "alice", value: "FR"), .at(123 * hour, "alice", value: "DE"),
                .at(124 * hour, "alice", value: "BR"),
            ],
            expected: ["alice:BR:3"]
        ),
        Case(
            name: "a group first seen after learning learns its first value",
            steps: [
                .at(0, "alice", value: "FR"), .at(25 * hour, "bob", value: "FR"), .at(26 * hour, "bob", value: "BR"),
            ],
            expected: ["bob:BR:3"]
        ),
        Case(
            name: "alerting on new groups",
            rule: rule(alertsOnNewGroup: true),
            steps: [.at(0, "alice", value: "FR"), .at(25 * hour, "bob", value: "FR")],
            expected: ["bob:FR:2"]
        ),
        Case(
            name: "values are per group",
            steps: [.at(0, "alice", value: "FR"), .at(0, "bob", value: "DE"), .at(25 * hour, "alice", value: "DE")],
            expected: ["alice:DE:3"]
        ),
        Case(
            name: "past the bound the least recently seen value is forgotten",
            rule: rule(maximumValues: 2),
            steps: [
                .at(0, "alice", value: "FR"), .at(1, "alice", value: "DE"), .at(25 * hour, "alice", value: "US"),
                .at(26 * hour, "alice", value: "DE"), .at(27 * hour, "alice", value: "FR"),
            ],
            expected: ["alice:US:3", "alice:FR:5"]
        ),
    ]

    @Test("learning period and new values", arguments: cases)
    func firstSeen(_ testCase: Case) throws {
        var harness = try DetectionHarness(testCase.rule)
        harness.run(testCase.steps)
        #expect(harness.alerts.map { "\($0.group[0]):\($0.value ?? "-"):\($0.evidence[0])" } == testCase.expected)
        #expect(harness.alerts.allSatisfy { $0.kind == .firstSeen })
    }
}

@Suite("Absence")
struct AbsenceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var lateness: Int64 = 0
        var steps: [Step]
        var expected: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "not yet past the deadline",
            steps: [.at(0, "a"), .at(60, "a"), .at(120, "a"), .clock(420)],
            expected: []
        ),
        Case(
            name: "past the deadline: one alert at the deadline",
            steps: [.at(0, "a"), .at(60, "a"), .at(120, "a"), .clock(420.001), .clock(900)],
            expected: ["a:3@420000"]
        ),
        Case(
            name: "a newer event moves the deadline",
            steps: [.at(0, "a"), .at(200, "a"), .clock(301), .clock(501)],
            expected: ["a:2@500000"]
        ),
        Case(
            name: "a late event does not start watching a group",
            steps: [.at(100, "b"), .at(0, "a"), .clock(1000)],
            expected: ["b:1@400000"]
        ),
        Case(
            name: "each group has its own deadline",
            steps: [.at(0, "a"), .at(100, "b"), .clock(301), .clock(401)],
            expected: ["a:1@300000", "b:2@400000"]
        ),
        Case(
            name: "a group is watched again after its next event",
            steps: [.at(0, "a"), .clock(301), .at(1000, "a"), .clock(1301)],
            expected: ["a:1@300000", "a:3@1300000"]
        ),
        Case(
            name: "lateness delays the decision",
            lateness: 60_000,
            steps: [.at(0, "a"), .clock(301), .clock(361)],
            expected: ["a:1@300000"]
        ),
        Case(
            name: "event time of the observations alone closes deadlines",
            steps: [.at(0, "a"), .at(400, "b")],
            expected: ["a:1@300000"]
        ),
    ]

    @Test("absence within T, driven by the injected clock", arguments: cases)
    func absence(_ testCase: Case) throws {
        var harness = try DetectionHarness(
            DetectionRule(id: "silent", kind: .absence(after: 300_000), allowedLateness: testCase.lateness)
        )
        harness.run(testCase.steps)
        #expect(harness.alerts.map { "\($0.group[0]):\($0.evidence[0])@\($0.time)" } == testCase.expected)
        #expect(harness.alerts.allSatisfy { $0.kind == .absence && $0.count == 0 })
    }

    @Test("the lateness case reports nothing before the watermark passes")
    func latenessBeforeWatermark() throws {
        var harness = try DetectionHarness(
            DetectionRule(id: "silent", kind: .absence(after: 300_000), allowedLateness: 60_000)
        )
        harness.run([.at(0, "a"), .clock(359)])
        #expect(harness.alerts.isEmpty)
        harness.feed(.clock(360.001), sequence: 3)
        #expect(harness.alerts.count == 1)
    }
}

@Suite("Impossible travel")
struct ImpossibleTravelTests {
    static let paris = GeoPoint(latitude: 48.8566, longitude: 2.3522)
    static let newYork = GeoPoint(latitude: 40.7128, longitude: -74.0060)
    static let london = GeoPoint(latitude: 51.5074, longitude: -0.1278)
    static let versailles = GeoPoint(latitude: 48.8049, longitude: 2.1204)
    static let tokyo = GeoPoint(latitude: 35.6762, longitude: 139.6503)

    static func login(_ seconds: Double, _ point: GeoPoint, user: String = "alice") -> Step {
        var step = Step.at(seconds, user)
        step.location = point
        return step
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var steps: [Step]
        var expected: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "Paris then New York two hours later",
            steps: [login(0, paris), login(2 * hour, newYork)],
            expected: ["alice:1,2"]
        ),
        Case(
            name: "Paris then New York eight hours later",
            steps: [login(0, paris), login(8 * hour, newYork)],
            expected: []
        ),
        Case(
            name: "Paris then London ten minutes later",
            steps: [login(0, paris), login(600, london)],
            expected: ["alice:1,2"]
        ),
        Case(name: "Paris then London an hour later", steps: [login(0, paris), login(hour, london)], expected: []),
        Case(
            name: "Paris then Versailles a minute later: under the minimum distance",
            steps: [login(0, paris), login(60, versailles)],
            expected: []
        ),
        Case(name: "the same moment, far apart", steps: [login(0, paris), login(0, tokyo)], expected: ["alice:1,2"]),
        Case(
            name: "compared with the latest login",
            steps: [login(0, tokyo), login(20 * hour, paris), login(22 * hour, london)],
            expected: []
        ),
        Case(
            name: "users are separate",
            steps: [login(0, paris, user: "alice"), login(600, newYork, user: "bob")],
            expected: []
        ),
    ]

    @Test("a real pair of cities", arguments: cases)
    func travel(_ testCase: Case) throws {
        var harness = try DetectionHarness(
            DetectionRule(
                id: "travel",
                kind: .impossibleTravel(maximumKilometresPerHour: 900, minimumKilometres: 100),
                allowedLateness: 86_400_000
            )
        )
        harness.run(testCase.steps)
        #expect(harness.summary == testCase.expected)
    }

    @Test("the alert carries the distance and the speed; an out-of-order login is compared too")
    func travelDetails() throws {
        var harness = try DetectionHarness(
            DetectionRule(
                id: "travel",
                kind: .impossibleTravel(maximumKilometresPerHour: 900, minimumKilometres: 100),
                allowedLateness: 86_400_000
            )
        )
        harness.run([Self.login(2 * hour, Self.newYork), Self.login(0, Self.paris)])
        let alert = try #require(harness.alerts.first)
        #expect(alert.evidence == [2, 1])
        #expect(alert.firstTime == 0 && alert.lastTime == 7_200_000 && alert.time == 7_200_000)
        let travel = try #require(alert.travel)
        #expect(abs(travel.kilometres - 5837) < 10)
        #expect(abs(travel.kilometresPerHour - travel.kilometres / 2) < 0.01)
        var invalid = Self.login(3 * hour, GeoPoint(latitude: 91, longitude: 0))
        invalid.group = "alice"
        harness.feed(invalid, sequence: 3)
        #expect(harness.statistics.ignored == 1)
    }

    @Test("haversine distances between real cities")
    func distances() {
        #expect(abs(Self.paris.kilometres(to: Self.newYork) - 5837) < 10)
        #expect(abs(Self.london.kilometres(to: Self.tokyo) - 9559) < 15)
        #expect(abs(Self.paris.kilometres(to: Self.london) - 344) < 3)
        let antipode = GeoPoint(latitude: 0, longitude: 0).kilometres(to: GeoPoint(latitude: 0, longitude: 180))
        #expect(abs(antipode - 20_015.1) < 0.5)
        #expect(Self.paris.kilometres(to: Self.paris) == 0)
    }
}
