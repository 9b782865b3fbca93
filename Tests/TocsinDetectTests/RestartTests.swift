// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinDetect

/// A log of inputs for several rules at once, generated from a fixed seed: bursts of events from a few
/// groups, some out of order within the lateness, some late, and event-time clock moves.
struct Workload {
    enum Input: Sendable {
        case observe(
            rule: String,
            referencedRule: Int,
            sequence: Int64,
            time: Int64,
            group: String,
            value: String?,
            location: GeoPoint?
        )
        case advance(Int64)

        var sequence: Int64? {
            if case .observe(_, _, let sequence, _, _, _, _) = self {
                return sequence
            }
            return nil
        }

        var time: Int64 {
            switch self {
            case .observe(_, _, _, let time, _, _, _): return time
            case .advance(let time): return time
            }
        }
    }

    static let replayableRules: [DetectionRule] = [
        DetectionRule(id: "burst", kind: .eventCount(window: 60_000, condition: .gte(5)), allowedLateness: 10_000),
        DetectionRule(id: "spray", kind: .valueCount(window: 120_000, condition: .gte(3)), allowedLateness: 10_000),
        DetectionRule(
            id: "chain",
            kind: .temporal(window: 90_000, rules: ["a", "b", "c"], condition: nil),
            allowedLateness: 10_000
        ),
        DetectionRule(
            id: "ordered",
            kind: .temporalOrdered(window: 90_000, rules: ["a", "b"]),
            allowedLateness: 10_000
        ),
        DetectionRule(id: "silent", kind: .absence(after: 45_000), allowedLateness: 10_000),
        DetectionRule(
            id: "travel",
            kind: .impossibleTravel(maximumKilometresPerHour: 900, minimumKilometres: 100),
            allowedLateness: 10_000
        ),
    ]

    /// The replayable rules without impossible travel, whose relevant span (22 h at 900 km/h) would make the
    /// replay start at the beginning of this workload.
    static let windowRules = replayableRules.filter { $0.id != "travel" }

    static let snapshotOnlyRules: [DetectionRule] = [
        DetectionRule(id: "quiet", kind: .eventCount(window: 30_000, condition: .range(2, 3)), allowedLateness: 10_000),
        DetectionRule(
            id: "new-user",
            kind: .firstSeen(learning: 600_000, maximumValuesPerGroup: 4, alertsOnNewGroup: false),
            allowedLateness: 10_000
        ),
    ]

    static let cities = [
        GeoPoint(latitude: 48.8566, longitude: 2.3522), GeoPoint(latitude: 40.7128, longitude: -74.0060),
        GeoPoint(latitude: 51.5074, longitude: -0.1278),
    ]

    let inputs: [Input]

    init(rules: [DetectionRule], count: Int, seed: UInt64) {
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var inputs: [Input] = []
        var time: Int64 = 1_800_000_000_000
        var sequence: Int64 = 0
        var rule = rules[0]
        var group = ""
        for _ in 0..<count {
            time += Int64(next(4000))
            sequence += 1
            if next(10) == 0 {
                inputs.append(.advance(time))
                continue
            }
            // Half the time the previous rule and group again: runs of events make bursts.
            if next(2) == 0 || sequence == 1 {
                rule = rules[next(rules.count)]
                group = "10.0.0.\(next(4))"
            }
            let jitter = next(5) == 0 ? Int64(next(15_000)) : 0
            let referencedRule = next(3)
            inputs.append(
                .observe(
                    rule: rule.id,
                    referencedRule: rule.id == "ordered" ? referencedRule % 2 : referencedRule,
                    sequence: sequence,
                    time: time - jitter,
                    group: group,
                    value: "user\(next(6))",
                    location: Self.cities[next(3)]
                )
            )
        }
        self.inputs = inputs
    }

    /// Feeds inputs to an engine; returns the alerts.
    static func feed(_ inputs: ArraySlice<Input>, to engine: inout DetectionEngine) -> [Alert] {
        var alerts: [Alert] = []
        for input in inputs {
            switch input {
            case .observe(let rule, let referencedRule, let sequence, let time, let group, let value, let location):
                guard let handle = engine.handle(for: rule) else {
                    continue
                }
                let observation = Observation(
                    rule: handle,
                    referencedRule: referencedRule,
                    sequence: sequence,
                    eventTime: time,
                    group: [group],
                    value: value,
                    location: location
                )
                alerts += engine.observe(observation).alerts
            case .advance(let time):
                alerts += engine.advance(to: time)
            }
        }
        return alerts
    }
}

@Suite("Restart")
struct RestartTests {
    static let interruptions = [137, 1000, 1777, 2950]

    @Test("the same inputs give the same alerts and identities")
    func determinism() throws {
        let rules = Workload.replayableRules + Workload.snapshotOnlyRules
        let workload = Workload(rules: rules, count: 3000, seed: 7)
        var first = try DetectionEngine(rules: rules)
        var second = try DetectionEngine(rules: rules)
        let alerts = Workload.feed(workload.inputs[...], to: &first)
        #expect(alerts == Workload.feed(workload.inputs[...], to: &second))
        #expect(Set(alerts.map(\.identity)).count == alerts.count)
        for rule in rules {
            let statistics = first.statistics(for: try #require(first.handle(for: rule.id)))
            #expect(alerts.contains { $0.rule == rule.id }, "the workload exercises \(rule.id): \(statistics)")
        }
        #expect(first.statistics(for: try #require(first.handle(for: "burst"))).late > 0)
    }

    @Test(
        "interrupted and resumed from a snapshot: exactly the alerts of an uninterrupted run",
        arguments: interruptions
    )
    func resumeFromSnapshot(_ stop: Int) throws {
        let rules = Workload.replayableRules + Workload.snapshotOnlyRules
        let workload = Workload(rules: rules, count: 3000, seed: 11)
        var uninterrupted = try DetectionEngine(rules: rules)
        let expected = Workload.feed(workload.inputs[...], to: &uninterrupted)

        var before = try DetectionEngine(rules: rules)
        var alerts = Workload.feed(workload.inputs[..<stop], to: &before)
        let data = try JSONEncoder().encode(before.snapshot())
        let snapshot = try JSONDecoder().decode(DetectionSnapshot.self, from: data)
        var after = try DetectionEngine(rules: rules, restoring: snapshot)
        #expect(after.rulesStartedEmpty.isEmpty)
        #expect(snapshot.lastSequence == workload.inputs[..<stop].compactMap(\.sequence).max())
        alerts += Workload.feed(workload.inputs[stop...], to: &after)
        #expect(alerts == expected)
    }

    @Test("interrupted and resumed by replaying the log from the computed point", arguments: interruptions)
    func resumeByReplay(_ stop: Int) throws {
        let rules = Workload.windowRules
        let workload = Workload(rules: rules, count: 3000, seed: 13)
        var uninterrupted = try DetectionEngine(rules: rules)
        let expected = Workload.feed(workload.inputs[...], to: &uninterrupted)

        var before = try DetectionEngine(rules: rules)
        var alerts = Workload.feed(workload.inputs[..<stop], to: &before)
        let processed = workload.inputs[..<stop]
        let newest = try #require(processed.map(\.time).max())
        let start = try #require(DetectionEngine.replayStart(for: rules, newestEventTime: newest))
        let first = try #require(processed.firstIndex { $0.time >= start })
        let cursor = try #require(processed.compactMap(\.sequence).max())
        var after = try DetectionEngine(rules: rules)
        after.beginReplay(through: cursor)
        alerts += Workload.feed(workload.inputs[first...], to: &after)
        #expect(alerts == expected)
        #expect(stop < 1000 || first > 0, "the replay starts inside the log, not at its beginning")
    }

    @Test("alerts raised again after a crash before the cursor was saved carry the same identities")
    func duplicatesAfterCrash() throws {
        let rules = Workload.windowRules
        let workload = Workload(rules: rules, count: 3000, seed: 17)
        var uninterrupted = try DetectionEngine(rules: rules)
        let expected = Workload.feed(workload.inputs[...], to: &uninterrupted)
        var before = try DetectionEngine(rules: rules)
        let raised = Workload.feed(workload.inputs[..<2000], to: &before)
        // The cursor was saved 300 inputs earlier: those are replayed and their alerts raised again.
        let cursor = try #require(workload.inputs[..<1700].compactMap(\.sequence).max())
        let newest = try #require(workload.inputs[..<1700].map(\.time).max())
        let start = try #require(DetectionEngine.replayStart(for: rules, newestEventTime: newest))
        let first = try #require(workload.inputs.firstIndex { $0.time >= start })
        var after = try DetectionEngine(rules: rules)
        after.beginReplay(through: cursor)
        let again = Workload.feed(workload.inputs[first...], to: &after)
        var log: [String: Alert] = [:]
        var order: [String] = []
        for alert in raised + again where log[alert.identity] == nil {
            log[alert.identity] = alert
            order.append(alert.identity)
        }
        #expect(order == expected.map(\.identity))
        #expect(again.count > expected.count - raised.count)
    }

    @Test("a changed rule starts empty; a snapshot of another version is refused")
    func changedRules() throws {
        let rules = Workload.replayableRules
        var engine = try DetectionEngine(rules: rules)
        _ = Workload.feed(Workload(rules: rules, count: 500, seed: 3).inputs[...], to: &engine)
        var changed = rules
        changed[0].kind = .eventCount(window: 30_000, condition: .gte(5))
        let restored = try DetectionEngine(rules: changed, restoring: engine.snapshot())
        #expect(restored.rulesStartedEmpty == ["burst"])
        let spray = try #require(restored.handle(for: "spray"))
        #expect(restored.statistics(for: spray) == engine.statistics(for: spray))
        #expect(restored.lastSequence == engine.lastSequence)
        var old = engine.snapshot()
        old.version = 0
        #expect(throws: DetectionError.self) { try DetectionEngine(rules: rules, restoring: old) }
    }

    @Test("the replay horizon is window + suppression + lateness; nil when a rule needs a snapshot")
    func replayHorizon() {
        #expect(DetectionEngine.replayHorizon(for: [Workload.replayableRules[0]]) == Int64(60_000 + 60_000 + 10_000))
        #expect(DetectionEngine.replayHorizon(for: [Workload.replayableRules[4]]) == Int64(45_000 + 10_000))
        #expect(DetectionEngine.replayHorizon(for: Workload.snapshotOnlyRules[0...0].map { $0 }) == nil)
        #expect(DetectionEngine.replayHorizon(for: Workload.snapshotOnlyRules[1...1].map { $0 }) == nil)
        #expect(DetectionEngine.replayStart(for: [Workload.replayableRules[1]], newestEventTime: 1_000_000) == 750_000)
        let travel = DetectionEngine.replayHorizon(for: [Workload.replayableRules[5]]) ?? 0
        #expect(travel > 22 * 3_600_000 && travel < 23 * 3_600_000)
    }
}
