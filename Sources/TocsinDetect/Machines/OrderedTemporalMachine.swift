// SPDX-License-Identifier: Apache-2.0

/// Temporal ordered: fires when the referenced rules matched for a group in the listed order (by event time,
/// non-decreasing) within the window, the last match completing the sequence.
///
/// For each prefix of the list a group keeps one partial chain: the one that started latest, since it has the
/// most room left in the window. An event of the rule at position p extends the chain of prefix p - 1 when
/// its time is not before that chain's last event and within the window of its first. Positions are
/// processed from the last to the first, so one event never extends a chain it just started.
struct OrderedTemporalMachine: RuleMachine {
    struct Group: Sendable, Hashable, Codable {
        var newest: Int64 = .min
        var firedPeriod: Int64 = .min
    }

    let rule: DetectionRule
    var table: GroupTable
    var statistics = RuleStatistics()
    let window: Int64
    let length: Int
    /// For each position, every position holding the same name, last first.
    let positionsOfName: [[Int]]
    private var groups: [Group] = []
    /// Per group, `length` chains of up to `length` stamps; chain p holds p + 1 stamps when present.
    private var chains: [Stamp] = []
    private var present: [Bool] = []

    init(rule: DetectionRule, window: Int64, rules: [String]) {
        self.rule = rule
        self.table = GroupTable(capacity: rule.maximumGroups)
        self.window = window
        self.length = rules.count
        self.positionsOfName = rules.map { name in
            rules.indices.filter { rules[$0] == name }.reversed()
        }
    }

    var isConsistent: Bool {
        groups.count == table.slotCount && chains.count == table.slotCount * length * length
            && present.count == table.slotCount * length
    }

    func isExpired(_ slot: Int32, watermark: Int64) -> Bool {
        groups[Int(slot)].newest < watermark - window - rule.suppressionPeriod
    }

    mutating func prepare(_ slot: Int32, isNew: Bool) {
        if isNew {
            groups.append(Group())
            chains.append(contentsOf: repeatElement(.none, count: length * length))
            present.append(contentsOf: repeatElement(false, count: length))
        } else {
            groups[Int(slot)] = Group()
            for position in 0..<length {
                present[Int(slot) * length + position] = false
            }
        }
    }

    mutating func apply(_ observation: Observation, context: MachineContext, alerts: inout [Alert]) {
        guard positionsOfName.indices.contains(observation.referencedRule) else {
            statistics.ignored += 1
            return
        }
        let slot = Int(acquireSlot(for: observation.group, watermark: context.watermark))
        statistics.applied += 1
        let stamp = Stamp(time: observation.eventTime, sequence: observation.sequence)
        groups[slot].newest = max(groups[slot].newest, stamp.time)
        var completed: [Stamp]?
        for position in positionsOfName[observation.referencedRule] {
            if position == 0 {
                if !present[slot * length] || chainStart(slot, 0) <= stamp.time {
                    store([stamp], slot: slot, position: 0)
                }
                continue
            }
            guard present[slot * length + position - 1] else {
                continue
            }
            let previous = chain(slot, position - 1)
            guard let first = previous.first, let last = previous.last, last.time <= stamp.time,
                stamp.time - first.time <= window
            else {
                continue
            }
            let extended = Array(previous) + [stamp]
            if position == length - 1 {
                completed = extended
            } else if !present[slot * length + position] || chainStart(slot, position) <= first.time {
                store(extended, slot: slot, position: position)
            }
        }
        guard let completed, let first = completed.first else {
            return
        }
        var firedPeriod = groups[slot].firedPeriod
        guard mayFire(at: stamp.time, firedPeriod: &firedPeriod) else {
            return
        }
        groups[slot].firedPeriod = firedPeriod
        var evidence = EvidenceBuilder(limit: context.evidenceLimit)
        for link in completed {
            evidence.append(link.sequence)
        }
        statistics.alerts += 1
        alerts.append(
            Alert(
                rule: rule.id,
                kind: .temporalOrdered,
                group: observation.group,
                count: completed.count,
                time: stamp.time,
                firstTime: first.time,
                lastTime: stamp.time,
                evidence: evidence.evidence
            )
        )
    }

    private func chainStart(_ slot: Int, _ position: Int) -> Int64 {
        chains[(slot * length + position) * length].time
    }

    private func chain(_ slot: Int, _ position: Int) -> ArraySlice<Stamp> {
        let start = (slot * length + position) * length
        return chains[start..<(start + position + 1)]
    }

    private mutating func store(_ chain: [Stamp], slot: Int, position: Int) {
        let start = (slot * length + position) * length
        for (offset, stamp) in chain.enumerated() {
            chains[start + offset] = stamp
        }
        present[slot * length + position] = true
    }
}
