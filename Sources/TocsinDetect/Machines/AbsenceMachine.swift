// SPDX-License-Identifier: Apache-2.0

/// Absence: a group seen once is expected again within `after` of its latest event; when the watermark
/// passes that deadline with no newer event, the machine raises one alert and forgets the group (its next
/// event starts watching it again).
///
/// Each group has at most one timer: when it comes due and the group has seen a newer event, the timer is
/// scheduled again for the new deadline instead of one timer per event.
struct AbsenceMachine: RuleMachine {
    let rule: DetectionRule
    var table: GroupTable
    var statistics = RuleStatistics()
    let after: Int64
    private(set) var timers = TimerQueue()
    private var latest: [Stamp] = []

    init(rule: DetectionRule, after: Int64) {
        self.rule = rule
        self.table = GroupTable(capacity: rule.maximumGroups)
        self.after = after
    }

    var isConsistent: Bool {
        latest.count == table.slotCount && timers.isConsistent(slotCount: table.slotCount)
    }

    func isExpired(_ slot: Int32, watermark: Int64) -> Bool {
        false
    }

    mutating func prepare(_ slot: Int32, isNew: Bool) {
        if isNew {
            latest.append(.none)
        } else {
            latest[Int(slot)] = .none
        }
    }

    mutating func apply(_ observation: Observation, context: MachineContext, alerts: inout [Alert]) {
        let slot = acquireSlot(for: observation.group, watermark: context.watermark)
        statistics.applied += 1
        let previous = latest[Int(slot)]
        if previous.time <= observation.eventTime {
            latest[Int(slot)] = Stamp(time: observation.eventTime, sequence: observation.sequence)
        }
        if previous.time == .min {
            timers.schedule(observation.eventTime + after, slot: slot, generation: table.generations[Int(slot)])
        }
    }

    /// Raises an alert for every group whose deadline is before `watermark`, in deadline order.
    mutating func reportAbsences(watermark: Int64, alerts: inout [Alert]) {
        while let entry = timers.popDue(before: watermark) {
            let slot = Int(entry.slot)
            guard table.generations[slot] == entry.generation else {
                continue
            }
            let last = latest[slot]
            let deadline = last.time + after
            guard deadline < watermark else {
                timers.schedule(deadline, slot: entry.slot, generation: entry.generation)
                continue
            }
            statistics.alerts += 1
            alerts.append(
                Alert(
                    rule: rule.id,
                    kind: .absence,
                    group: table.keys[slot],
                    count: 0,
                    time: deadline,
                    firstTime: last.time,
                    lastTime: last.time,
                    evidence: [last.sequence]
                )
            )
            release(entry.slot)
        }
    }
}
