// SPDX-License-Identifier: Apache-2.0

/// Temporal, any order: fires when enough of the referenced rules (all of them by default) matched for a
/// group within the sliding window ending at its newest event.
///
/// Each group keeps the stamp of the latest match of each distinct referenced rule: the latest matches are
/// the ones most likely to fit in a window with future ones.
struct TemporalMachine: RuleMachine {
    struct Group: Sendable, Hashable, Codable {
        var newest: Int64 = .min
        var firedPeriod: Int64 = .min
    }

    let rule: DetectionRule
    var table: GroupTable
    var statistics = RuleStatistics()
    let window: Int64
    let condition: CountCondition
    /// For each position of the rule's list, the index of its distinct name.
    let distinctIndex: [Int]
    let distinctCount: Int
    private var groups: [Group] = []
    private var stamps: [Stamp] = []

    init(rule: DetectionRule, window: Int64, rules: [String], condition: CountCondition?) {
        self.rule = rule
        self.table = GroupTable(capacity: rule.maximumGroups)
        self.window = window
        var firstPosition: [String: Int] = [:]
        var distinctIndex: [Int] = []
        for name in rules {
            if let known = firstPosition[name] {
                distinctIndex.append(known)
            } else {
                distinctIndex.append(firstPosition.count)
                firstPosition[name] = firstPosition.count
            }
        }
        self.distinctIndex = distinctIndex
        self.distinctCount = firstPosition.count
        self.condition = condition ?? .gte(firstPosition.count)
    }

    var isConsistent: Bool {
        groups.count == table.slotCount && stamps.count == table.slotCount * distinctCount
    }

    func isExpired(_ slot: Int32, watermark: Int64) -> Bool {
        groups[Int(slot)].newest < watermark - window - rule.suppressionPeriod
    }

    mutating func prepare(_ slot: Int32, isNew: Bool) {
        if isNew {
            groups.append(Group())
            stamps.append(contentsOf: repeatElement(.none, count: distinctCount))
        } else {
            groups[Int(slot)] = Group()
            for offset in 0..<distinctCount {
                stamps[Int(slot) * distinctCount + offset] = .none
            }
        }
    }

    mutating func apply(_ observation: Observation, context: MachineContext, alerts: inout [Alert]) {
        guard distinctIndex.indices.contains(observation.referencedRule) else {
            statistics.ignored += 1
            return
        }
        let slot = Int(acquireSlot(for: observation.group, watermark: context.watermark))
        statistics.applied += 1
        let base = slot * distinctCount
        let position = base + distinctIndex[observation.referencedRule]
        if stamps[position].time <= observation.eventTime {
            stamps[position] = Stamp(time: observation.eventTime, sequence: observation.sequence)
        }
        let newest = max(groups[slot].newest, observation.eventTime)
        groups[slot].newest = newest
        func isInWindow(_ stamp: Stamp) -> Bool {
            stamp.time != .min && stamp.time >= newest - window
        }
        var count = 0
        for offset in base..<(base + distinctCount) where isInWindow(stamps[offset]) {
            count += 1
        }
        guard condition.isSatisfied(by: count) else {
            return
        }
        var firedPeriod = groups[slot].firedPeriod
        guard mayFire(at: newest, firedPeriod: &firedPeriod) else {
            return
        }
        groups[slot].firedPeriod = firedPeriod
        let inWindow = stamps[base..<(base + distinctCount)].filter(isInWindow)
            .sorted { ($0.time, $0.sequence) < ($1.time, $1.sequence) }
        var evidence = EvidenceBuilder(limit: context.evidenceLimit)
        for stamp in inWindow {
            evidence.append(stamp.sequence)
        }
        statistics.alerts += 1
        alerts.append(
            Alert(
                rule: rule.id,
                kind: .temporal,
                group: observation.group,
                count: inWindow.count,
                time: newest,
                firstTime: inWindow.first?.time ?? newest,
                lastTime: newest,
                evidence: evidence.evidence
            )
        )
    }
}
