// SPDX-License-Identifier: Apache-2.0

/// Event count with `lt`, `lte`, `eq` or a range: the count of a window is only known once the window is
/// complete, so each window is decided when the watermark passes its end.
///
/// A window opens at a group's first event that falls after every open window, covers `[start, start +
/// window]`, and counts every event applied to the group with a time inside it. An out-of-order event before
/// the first open window joins that window. A group holds at most `1 + lateness / window` open windows; when
/// the last one closes, the group is dropped.
struct ClosingWindowMachine: RuleMachine {
    struct Window: Sendable, Hashable, Codable {
        var start: Int64
        var count: Int = 0
        var firstTime: Int64
        var lastTime: Int64
        var firstSequences: [Int64] = []
        var lastSequence: Int64 = 0
    }

    let rule: DetectionRule
    var table: GroupTable
    var statistics = RuleStatistics()
    let window: Int64
    let condition: CountCondition
    private(set) var timers = TimerQueue()
    private var windows: [[Window]] = []

    init(rule: DetectionRule, window: Int64, condition: CountCondition) {
        self.rule = rule
        self.table = GroupTable(capacity: rule.maximumGroups)
        self.window = window
        self.condition = condition
    }

    var isConsistent: Bool {
        windows.count == table.slotCount && timers.isConsistent(slotCount: table.slotCount)
    }

    func isExpired(_ slot: Int32, watermark: Int64) -> Bool {
        windows[Int(slot)].isEmpty
    }

    mutating func prepare(_ slot: Int32, isNew: Bool) {
        if isNew {
            windows.append([])
        } else {
            windows[Int(slot)] = []
        }
    }

    mutating func apply(_ observation: Observation, context: MachineContext, alerts: inout [Alert]) {
        let slot = acquireSlot(for: observation.group, watermark: context.watermark)
        statistics.applied += 1
        let time = observation.eventTime
        var open = windows[Int(slot)]
        windows[Int(slot)] = []
        let target: Int
        if let last = open.last, time <= last.start + window {
            // Inside an open window, or before it (late within the lateness): the first window that has not
            // ended before the event.
            target = open.firstIndex { time <= $0.start + window } ?? open.count - 1
        } else {
            open.append(Window(start: time, firstTime: time, lastTime: time))
            target = open.count - 1
            if open.count == 1 {
                timers.schedule(time + window, slot: slot, generation: table.generations[Int(slot)])
            }
        }
        open[target].count += 1
        open[target].firstTime = min(open[target].firstTime, time)
        open[target].lastTime = max(open[target].lastTime, time)
        if open[target].firstSequences.count < context.evidenceLimit {
            open[target].firstSequences.append(observation.sequence)
        }
        open[target].lastSequence = observation.sequence
        windows[Int(slot)] = open
    }

    /// Decides every window whose end is before `watermark`; appends the alerts of those whose count
    /// satisfies the condition, in deadline order.
    mutating func closeWindows(watermark: Int64, alerts: inout [Alert]) {
        while let entry = timers.popDue(before: watermark) {
            let slot = Int(entry.slot)
            guard table.generations[slot] == entry.generation, !windows[slot].isEmpty else {
                continue
            }
            let closed = windows[slot].removeFirst()
            if condition.isSatisfied(by: closed.count) {
                var evidence = closed.firstSequences
                if closed.count > evidence.count {
                    evidence.append(closed.lastSequence)
                }
                statistics.alerts += 1
                alerts.append(
                    Alert(
                        rule: rule.id,
                        kind: .eventCount,
                        group: table.keys[slot],
                        count: closed.count,
                        time: closed.start + window,
                        firstTime: closed.firstTime,
                        lastTime: closed.lastTime,
                        evidence: evidence
                    )
                )
            }
            if let next = windows[slot].first {
                timers.schedule(next.start + window, slot: entry.slot, generation: entry.generation)
            } else {
                release(entry.slot)
            }
        }
    }
}
