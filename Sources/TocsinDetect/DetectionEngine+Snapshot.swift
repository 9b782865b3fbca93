// SPDX-License-Identifier: Apache-2.0

/// The whole state of a `DetectionEngine`, to persist and restore it across a restart.
///
/// After restoring, read the log from `lastSequence + 1`. A rule whose definition changed since the snapshot
/// starts empty (`DetectionEngine.rulesStartedEmpty`).
public struct DetectionSnapshot: Sendable, Codable {
    /// The format version this build writes and reads.
    public static let currentVersion = 1

    /// The format version.
    public var version: Int
    /// The highest sequence number the engine had observed, or nil if none.
    public var lastSequence: Int64?
    /// The newest event time the engine had seen.
    public var newestEventTime: Int64
    var machines: [MachineState]
}

enum MachineState: Sendable, Codable {
    case eventCount(EventCountMachine)
    case closingWindow(ClosingWindowMachine)
    case valueCount(ValueCountMachine)
    case temporal(TemporalMachine)
    case ordered(OrderedTemporalMachine)
    case firstSeen(FirstSeenMachine)
    case absence(AbsenceMachine)
    case travel(TravelMachine)

    var isConsistent: Bool {
        switch self {
        case .eventCount(let machine): return machine.isConsistent
        case .closingWindow(let machine): return machine.isConsistent
        case .valueCount(let machine): return machine.isConsistent
        case .temporal(let machine): return machine.isConsistent
        case .ordered(let machine): return machine.isConsistent
        case .firstSeen(let machine): return machine.isConsistent
        case .absence(let machine): return machine.isConsistent
        case .travel(let machine): return machine.isConsistent
        }
    }

    var rule: DetectionRule {
        switch self {
        case .eventCount(let machine): return machine.rule
        case .closingWindow(let machine): return machine.rule
        case .valueCount(let machine): return machine.rule
        case .temporal(let machine): return machine.rule
        case .ordered(let machine): return machine.rule
        case .firstSeen(let machine): return machine.rule
        case .absence(let machine): return machine.rule
        case .travel(let machine): return machine.rule
        }
    }
}

extension DetectionEngine {
    /// Creates an engine from a snapshot: rules found in it with the same definition get their state back,
    /// the others start empty.
    ///
    /// - Parameters:
    ///   - rules: The rules in force now.
    ///   - evidenceLimit: How many evidence sequence numbers an alert lists before the last one.
    ///   - snapshot: A snapshot from `snapshot()`.
    /// - Throws: `DetectionError` for an invalid rule or a snapshot of another format version.
    public init(
        rules: [DetectionRule],
        evidenceLimit: Int = 10,
        restoring snapshot: DetectionSnapshot
    )
        throws(DetectionError)
    {
        try self.init(rules: rules, evidenceLimit: evidenceLimit)
        guard snapshot.version == DetectionSnapshot.currentVersion else {
            throw DetectionError(
                rule: "",
                code: .snapshot,
                message: "the snapshot has format version \(snapshot.version), this build reads "
                    + "\(DetectionSnapshot.currentVersion); rebuild the state by replaying the log"
            )
        }
        newestEventTime = snapshot.newestEventTime
        lastSequence = snapshot.lastSequence
        var saved: [String: MachineState] = [:]
        for state in snapshot.machines {
            saved[state.rule.id] = state
        }
        for (index, rule) in rules.enumerated() {
            guard let state = saved[rule.id], state.rule == rule else {
                rulesStartedEmpty.append(rule.id)
                continue
            }
            guard state.isConsistent else {
                throw DetectionError(
                    rule: rule.id,
                    code: .snapshot,
                    message: "the rule's state in the snapshot is inconsistent; rebuild it by replaying the log"
                )
            }
            restore(state, at: index)
        }
        recomputeNextFiring()
    }

    /// The whole state, to persist.
    public func snapshot() -> DetectionSnapshot {
        let machines: [MachineState] = placements.map { placement in
            switch placement {
            case .eventCount(let machine): return .eventCount(eventCounts[machine])
            case .closingWindow(let machine): return .closingWindow(closingWindows[machine])
            case .valueCount(let machine): return .valueCount(valueCounts[machine])
            case .temporal(let machine): return .temporal(temporals[machine])
            case .ordered(let machine): return .ordered(ordered[machine])
            case .firstSeen(let machine): return .firstSeen(firstSeen[machine])
            case .absence(let machine): return .absence(absences[machine])
            case .travel(let machine): return .travel(travels[machine])
            }
        }
        return DetectionSnapshot(
            version: DetectionSnapshot.currentVersion,
            lastSequence: lastSequence,
            newestEventTime: newestEventTime,
            machines: machines
        )
    }

    /// How far back in event time the log must be re-read to rebuild the rules' state without a snapshot
    /// (milliseconds), or nil when a rule needs a snapshot or the whole log.
    ///
    /// Per rule: window + suppression period + allowed lateness (absence: the expected interval + lateness;
    /// impossible travel: its relevant span + lateness). First-seen remembers values for ever, and closing
    /// windows (`lt`, `lte`, `eq`, ranges) chain each window to the previous one, so both return nil.
    public static func replayHorizon(for rules: [DetectionRule]) -> Int64? {
        var horizon: Int64 = 0
        for rule in rules {
            let span: Int64
            switch rule.kind {
            case .eventCount(let window, let condition):
                guard condition.isDecidedOnArrival else {
                    return nil
                }
                span = window + rule.suppressionPeriod
            case .valueCount(let window, _), .temporal(let window, _, _), .temporalOrdered(let window, _):
                span = window + rule.suppressionPeriod
            case .absence(let after):
                span = after
            case .impossibleTravel(let speed, _):
                span = TravelMachine.relevantSpan(maximumKilometresPerHour: speed)
            case .firstSeen:
                return nil
            }
            horizon = max(horizon, span + rule.allowedLateness)
        }
        return horizon
    }

    /// The event time from which to re-read the log when there is no snapshot.
    ///
    /// Feed every log event from the first one (lowest sequence number) whose event time is at or after it,
    /// with `beginReplay(through:)` set to the last sequence number whose alerts were recorded.
    ///
    /// - Parameters:
    ///   - rules: The rules.
    ///   - newestEventTime: The newest event time among the events already processed (an earlier time only
    ///     replays more).
    /// - Returns: The event time, or nil when a rule needs a snapshot.
    public static func replayStart(for rules: [DetectionRule], newestEventTime: Int64) -> Int64? {
        replayHorizon(for: rules).map { clamp(newestEventTime) - $0 }
    }

    /// Creates the machine of a rule; returns where it lives.
    mutating func makeMachine(for rule: DetectionRule) -> Placement {
        switch rule.kind {
        case .eventCount(let window, let condition) where condition.isDecidedOnArrival:
            eventCounts.append(EventCountMachine(rule: rule, window: window, condition: condition))
            return .eventCount(eventCounts.count - 1)
        case .eventCount(let window, let condition):
            closingWindows.append(ClosingWindowMachine(rule: rule, window: window, condition: condition))
            return .closingWindow(closingWindows.count - 1)
        case .valueCount(let window, let condition):
            valueCounts.append(ValueCountMachine(rule: rule, window: window, condition: condition))
            return .valueCount(valueCounts.count - 1)
        case .temporal(let window, let names, let condition):
            temporals.append(TemporalMachine(rule: rule, window: window, rules: names, condition: condition))
            return .temporal(temporals.count - 1)
        case .temporalOrdered(let window, let names):
            ordered.append(OrderedTemporalMachine(rule: rule, window: window, rules: names))
            return .ordered(ordered.count - 1)
        case .firstSeen(let learning, let values, let alertsOnNewGroup):
            firstSeen.append(
                FirstSeenMachine(
                    rule: rule,
                    learning: learning,
                    maximumValues: values,
                    alertsOnNewGroup: alertsOnNewGroup
                )
            )
            return .firstSeen(firstSeen.count - 1)
        case .absence(let after):
            absences.append(AbsenceMachine(rule: rule, after: after))
            return .absence(absences.count - 1)
        case .impossibleTravel(let speed, let distance):
            travels.append(TravelMachine(rule: rule, maximumSpeed: speed, minimumKilometres: distance))
            return .travel(travels.count - 1)
        }
    }

    private mutating func restore(_ state: MachineState, at index: Int) {
        switch (placements[index], state) {
        case (.eventCount(let machine), .eventCount(let saved)): eventCounts[machine] = saved
        case (.closingWindow(let machine), .closingWindow(let saved)): closingWindows[machine] = saved
        case (.valueCount(let machine), .valueCount(let saved)): valueCounts[machine] = saved
        case (.temporal(let machine), .temporal(let saved)): temporals[machine] = saved
        case (.ordered(let machine), .ordered(let saved)): ordered[machine] = saved
        case (.firstSeen(let machine), .firstSeen(let saved)): firstSeen[machine] = saved
        case (.absence(let machine), .absence(let saved)): absences[machine] = saved
        case (.travel(let machine), .travel(let saved)): travels[machine] = saved
        default: break
        }
    }
}
