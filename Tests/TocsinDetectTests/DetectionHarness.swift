// SPDX-License-Identifier: Apache-2.0

import TocsinDetect

/// One input of a table: an event of a group at a time (seconds), optionally with a value or a referenced
/// rule; or a move of the injected event-time clock.
struct Step: Sendable, CustomStringConvertible {
    var seconds: Double
    var group: String = "g"
    var value: String?
    var referencedRule = 0
    var location: GeoPoint?
    var isClockOnly = false

    static func at(_ seconds: Double, _ group: String = "g", value: String? = nil, rule: Int = 0) -> Step {
        Step(seconds: seconds, group: group, value: value, referencedRule: rule)
    }

    static func clock(_ seconds: Double) -> Step {
        Step(seconds: seconds, isClockOnly: true)
    }

    var milliseconds: Int64 {
        Int64((seconds * 1000).rounded())
    }

    var description: String {
        isClockOnly ? "clock \(seconds)s" : "\(group)@\(seconds)s"
    }
}

/// Drives one engine with a list of steps; sequence numbers are the 1-based positions of the steps.
struct DetectionHarness {
    var engine: DetectionEngine
    let handle: RuleHandle
    var alerts: [Alert] = []
    var lateSequences: [Int64] = []

    init(_ rule: DetectionRule, evidenceLimit: Int = 10) throws {
        engine = try DetectionEngine(rules: [rule], evidenceLimit: evidenceLimit)
        guard let handle = engine.handle(for: rule.id) else {
            throw HarnessError.noHandle
        }
        self.handle = handle
    }

    enum HarnessError: Error {
        case noHandle
    }

    mutating func run(_ steps: [Step], firstSequence: Int64 = 1) {
        for (offset, step) in steps.enumerated() {
            feed(step, sequence: firstSequence + Int64(offset))
        }
    }

    mutating func feed(_ step: Step, sequence: Int64) {
        if step.isClockOnly {
            alerts += engine.advance(to: step.milliseconds)
            return
        }
        let outcome = engine.observe(
            Observation(
                rule: handle,
                referencedRule: step.referencedRule,
                sequence: sequence,
                eventTime: step.milliseconds,
                group: [step.group],
                value: step.value,
                location: step.location
            )
        )
        alerts += outcome.alerts
        if outcome.isLate {
            lateSequences.append(sequence)
        }
    }

    var statistics: RuleStatistics {
        engine.statistics(for: handle)
    }

    /// Each alert as `group:[evidence]`, for compact table expectations.
    var summary: [String] {
        alerts.map { "\($0.group.joined(separator: ",")):\($0.evidence.map(String.init).joined(separator: ","))" }
    }
}

/// `count` events of group `group`, `spacing` seconds apart from `start`.
func burst(_ count: Int, from start: Double, every spacing: Double, group: String = "g") -> [Step] {
    (0..<count).map { .at(start + Double($0) * spacing, group) }
}
