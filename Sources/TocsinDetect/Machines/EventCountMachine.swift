// SPDX-License-Identifier: Apache-2.0

/// An event time and its log sequence number.
struct Stamp: Sendable, Hashable, Codable {
    var time: Int64
    var sequence: Int64

    static let none = Stamp(time: .min, sequence: 0)
}

/// Event count with `gt`/`gte`: fires when the sliding window ending at an event holds enough events.
///
/// Each group keeps only the `needed` most recent stamps (`needed` = the smallest count that satisfies the
/// condition), sorted by event time, in a ring inside one flat array shared by all groups: no allocation per
/// update, 16 bytes per needed event per group.
struct EventCountMachine: RuleMachine {
    struct Group: Sendable, Hashable, Codable {
        var head: Int32 = 0
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
    private var stamps: [Stamp] = []

    init(rule: DetectionRule, window: Int64, condition: CountCondition) {
        self.rule = rule
        self.table = GroupTable(capacity: rule.maximumGroups)
        self.window = window
        self.needed = condition.pivot
    }

    var isConsistent: Bool {
        groups.count == table.slotCount && stamps.count == table.slotCount * needed
            && groups.allSatisfy { $0.count >= 0 && Int($0.count) <= needed && $0.head >= 0 && Int($0.head) < needed }
    }

    func isExpired(_ slot: Int32, watermark: Int64) -> Bool {
        groups[Int(slot)].newest < watermark - window - rule.suppressionPeriod
    }

    mutating func prepare(_ slot: Int32, isNew: Bool) {
        if isNew {
            groups.append(Group())
            stamps.append(contentsOf: repeatElement(.none, count: needed))
        } else {
            groups[Int(slot)] = Group()
        }
    }

    mutating func apply(_ observation: Observation, context: MachineContext, alerts: inout [Alert]) {
        let slot = Int(acquireSlot(for: observation.group, watermark: context.watermark))
        statistics.applied += 1
        let stamp = Stamp(time: observation.eventTime, sequence: observation.sequence)
        let base = slot * needed
        let count = Int(groups[slot].count)
        let head = Int(groups[slot].head)
        groups[slot].newest = max(groups[slot].newest, stamp.time)
        guard count > 0, stamps[base + (head + count - 1) % needed].time > stamp.time else {
            // In order (the common case): append, dropping the oldest when full; the only window the new
            // stamp completes is the ring itself.
            if count < needed {
                stamps[base + (head + count) % needed] = stamp
                groups[slot].count += 1
            } else {
                stamps[base + head] = stamp
                groups[slot].head = Int32((head + 1) % needed)
            }
            let oldest = stamps[base + Int(groups[slot].head)]
            guard Int(groups[slot].count) == needed, stamp.time - oldest.time <= window else {
                return
            }
            var evidence = EvidenceBuilder(limit: context.evidenceLimit)
            for offset in 0..<needed {
                evidence.append(stamps[base + (Int(groups[slot].head) + offset) % needed].sequence)
            }
            raise(slot, group: observation.group, first: oldest.time, last: stamp.time, evidence, &alerts)
            return
        }
        applyOutOfOrder(stamp, slot: slot, group: observation.group, context: context, alerts: &alerts)
    }

    /// An event older than the group's newest: merge it into the ring, look for a run of `needed` stamps that
    /// contains it and spans at most the window (before the oldest is dropped), keep the newest `needed`.
    private mutating func applyOutOfOrder(
        _ stamp: Stamp,
        slot: Int,
        group: [String],
        context: MachineContext,
        alerts: inout [Alert]
    ) {
        let base = slot * needed
        let head = Int(groups[slot].head)
        var merged = (0..<Int(groups[slot].count)).map { stamps[base + (head + $0) % needed] }
        let position = merged.firstIndex { $0.time > stamp.time } ?? merged.count
        merged.insert(stamp, at: position)
        var run: Range<Int>?
        if merged.count >= needed {
            for start in max(0, position - needed + 1)...min(position, merged.count - needed)
            where merged[start + needed - 1].time - merged[start].time <= window {
                run = start..<(start + needed)
                break
            }
        }
        let kept = merged.suffix(needed)
        for (offset, kept) in kept.enumerated() {
            stamps[base + offset] = kept
        }
        groups[slot].head = 0
        groups[slot].count = Int32(kept.count)
        guard let run else {
            return
        }
        var evidence = EvidenceBuilder(limit: context.evidenceLimit)
        for stamp in merged[run] {
            evidence.append(stamp.sequence)
        }
        raise(
            slot,
            group: group,
            first: merged[run.lowerBound].time,
            last: merged[run.upperBound - 1].time,
            evidence,
            &alerts
        )
    }

    private mutating func raise(
        _ slot: Int,
        group: [String],
        first: Int64,
        last: Int64,
        _ evidence: EvidenceBuilder,
        _ alerts: inout [Alert]
    ) {
        var firedPeriod = groups[slot].firedPeriod
        guard mayFire(at: last, firedPeriod: &firedPeriod) else {
            return
        }
        groups[slot].firedPeriod = firedPeriod
        statistics.alerts += 1
        alerts.append(
            Alert(
                rule: rule.id,
                kind: .eventCount,
                group: group,
                count: needed,
                time: last,
                firstTime: first,
                lastTime: last,
                evidence: evidence.evidence
            )
        )
    }
}
