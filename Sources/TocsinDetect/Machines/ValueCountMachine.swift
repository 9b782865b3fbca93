// SPDX-License-Identifier: Apache-2.0

/// Value count with `gt`/`gte`: fires when the sliding window ending at a group's newest event holds enough
/// distinct values of the counted field.
///
/// Each group keeps at most `needed` distinct values, each with the stamp of its latest occurrence; past
/// that the value seen longest ago is forgotten (it cannot be among the `needed` most recent). Values live in
/// one flat array shared by all groups.
struct ValueCountMachine: RuleMachine {
    struct Group: Sendable, Hashable, Codable {
        var count: Int32 = 0
        var newest: Int64 = .min
        var firedPeriod: Int64 = .min
    }

    let rule: DetectionRule
    var table: GroupTable
    var statistics = RuleStatistics()
    let window: Int64
    let needed: Int
    private var groups: [Group] = []
    private var values: [String] = []
    private var stamps: [Stamp] = []

    init(rule: DetectionRule, window: Int64, condition: CountCondition) {
        self.rule = rule
        self.table = GroupTable(capacity: rule.maximumGroups)
        self.window = window
        self.needed = condition.pivot
    }

    var isConsistent: Bool {
        groups.count == table.slotCount && values.count == table.slotCount * needed
            && stamps.count == values.count && groups.allSatisfy { $0.count >= 0 && Int($0.count) <= needed }
    }

    func isExpired(_ slot: Int32, watermark: Int64) -> Bool {
        groups[Int(slot)].newest < watermark - window - rule.suppressionPeriod
    }

    mutating func prepare(_ slot: Int32, isNew: Bool) {
        if isNew {
            groups.append(Group())
            values.append(contentsOf: repeatElement("", count: needed))
            stamps.append(contentsOf: repeatElement(.none, count: needed))
        } else {
            groups[Int(slot)] = Group()
            for offset in 0..<needed {
                values[Int(slot) * needed + offset] = ""
            }
        }
    }

    mutating func apply(_ observation: Observation, context: MachineContext, alerts: inout [Alert]) {
        guard let value = observation.value else {
            statistics.ignored += 1
            return
        }
        let slot = Int(acquireSlot(for: observation.group, watermark: context.watermark))
        statistics.applied += 1
        let base = slot * needed
        let count = Int(groups[slot].count)
        let stamp = Stamp(time: observation.eventTime, sequence: observation.sequence)
        groups[slot].newest = max(groups[slot].newest, stamp.time)
        if let found = (base..<(base + count)).first(where: { values[$0] == value }) {
            if stamps[found].time <= stamp.time {
                stamps[found] = stamp
            }
        } else if count < needed {
            values[base + count] = value
            stamps[base + count] = stamp
            groups[slot].count += 1
        } else {
            let oldest = (base..<(base + count)).min { stamps[$0].time < stamps[$1].time } ?? base
            guard stamps[oldest].time < stamp.time else {
                return
            }
            values[oldest] = value
            stamps[oldest] = stamp
        }
        decide(slot, group: observation.group, context: context, alerts: &alerts)
    }

    private mutating func decide(_ slot: Int, group: [String], context: MachineContext, alerts: inout [Alert]) {
        let base = slot * needed
        let count = Int(groups[slot].count)
        let newest = groups[slot].newest
        guard count == needed else {
            return
        }
        var oldest = Int64.max
        for offset in 0..<count {
            let time = stamps[base + offset].time
            guard time >= newest - window else {
                return
            }
            oldest = min(oldest, time)
        }
        var firedPeriod = groups[slot].firedPeriod
        guard mayFire(at: newest, firedPeriod: &firedPeriod) else {
            return
        }
        groups[slot].firedPeriod = firedPeriod
        var evidence = EvidenceBuilder(limit: context.evidenceLimit)
        for stamp in stamps[base..<(base + count)].sorted(by: { ($0.time, $0.sequence) < ($1.time, $1.sequence) }) {
            evidence.append(stamp.sequence)
        }
        statistics.alerts += 1
        alerts.append(
            Alert(
                rule: rule.id,
                kind: .valueCount,
                group: group,
                count: count,
                time: newest,
                firstTime: oldest,
                lastTime: newest,
                evidence: evidence.evidence
            )
        )
    }
}
