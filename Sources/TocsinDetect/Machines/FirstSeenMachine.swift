// SPDX-License-Identifier: Apache-2.0

/// First-seen value per group: learns silently until the learning period ends (`learning` after the first
/// event the rule applied), then raises an alert for each value the group has not shown before, and learns
/// it.
///
/// A group remembers at most `maximumValues` values with the time each was last seen; past that the value
/// seen longest ago is forgotten (and would raise again). Groups never expire: only `maximumGroups` bounds
/// them, least recently used first.
struct FirstSeenMachine: RuleMachine {
    let rule: DetectionRule
    var table: GroupTable
    var statistics = RuleStatistics()
    let learning: Int64
    let maximumValues: Int
    let alertsOnNewGroup: Bool
    /// When learning ends; nil until the first event.
    private(set) var learningEnds: Int64?
    private var seen: [[String: Int64]] = []

    init(rule: DetectionRule, learning: Int64, maximumValues: Int, alertsOnNewGroup: Bool) {
        self.rule = rule
        self.table = GroupTable(capacity: rule.maximumGroups)
        self.learning = learning
        self.maximumValues = maximumValues
        self.alertsOnNewGroup = alertsOnNewGroup
    }

    var isConsistent: Bool {
        seen.count == table.slotCount
    }

    func isExpired(_ slot: Int32, watermark: Int64) -> Bool {
        false
    }

    mutating func prepare(_ slot: Int32, isNew: Bool) {
        if isNew {
            seen.append([:])
        } else {
            seen[Int(slot)] = [:]
        }
    }

    mutating func apply(_ observation: Observation, context: MachineContext, alerts: inout [Alert]) {
        guard let value = observation.value else {
            statistics.ignored += 1
            return
        }
        let time = observation.eventTime
        let ends = learningEnds ?? time + learning
        learningEnds = ends
        let isNewGroup = table.slot(for: observation.group) == nil
        let slot = Int(acquireSlot(for: observation.group, watermark: context.watermark))
        statistics.applied += 1
        if let last = seen[slot][value] {
            seen[slot][value] = max(last, time)
            return
        }
        if seen[slot].count >= maximumValues, let forgotten = leastRecent(in: slot) {
            seen[slot][forgotten] = nil
        }
        seen[slot][value] = time
        guard time >= ends, alertsOnNewGroup || !isNewGroup else {
            return
        }
        statistics.alerts += 1
        alerts.append(
            Alert(
                rule: rule.id,
                kind: .firstSeen,
                group: observation.group,
                count: 1,
                time: time,
                firstTime: time,
                lastTime: time,
                evidence: [observation.sequence],
                value: value
            )
        )
    }

    /// The value seen longest ago (ties: the smallest value, so the choice does not depend on hashing).
    private func leastRecent(in slot: Int) -> String? {
        seen[slot].min { ($0.value, $0.key) < ($1.value, $1.key) }?.key
    }
}
