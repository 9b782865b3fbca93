// SPDX-License-Identifier: Apache-2.0

/// Runs a set of stateful detection rules on event time: `(state, observation) -> [Alert]`.
///
/// A pure, deterministic state machine: no clock, no randomness, no I/O. The same observations (and
/// `advance(to:)` calls) in the same order give the same alerts with the same identities, in every process.
/// One engine belongs to one task (the consumer of a partition of the log); it is a value type, so a copy is
/// an independent engine.
///
/// Time: the engine tracks the newest event time it has seen (`newestEventTime`). A rule's watermark is that
/// minus the rule's allowed lateness. An observation older than its rule's watermark is late: it is counted
/// (`RuleStatistics.late`), reported (`ObservationOutcome.isLate`), and not applied. Windows that need to
/// close (closing conditions, absence) close when the watermark passes their end, during `observe` or
/// `advance(to:)`.
public struct DetectionEngine: Sendable {
    /// What one observation did.
    public struct ObservationOutcome: Sendable, Hashable {
        /// Alerts raised, in order: windows the observation's time closed first, then the observation's own.
        public var alerts: [Alert]
        /// Whether the observation was older than its rule's watermark, and so counted as late, not applied.
        public var isLate: Bool
    }

    enum Placement: Sendable, Hashable {
        case eventCount(Int)
        case closingWindow(Int)
        case valueCount(Int)
        case temporal(Int)
        case ordered(Int)
        case firstSeen(Int)
        case absence(Int)
        case travel(Int)
    }

    /// The rules, in handle order.
    public let rules: [DetectionRule]
    /// How many evidence sequence numbers an alert lists before the last one.
    public let evidenceLimit: Int
    /// The newest event time seen (observations and `advance(to:)`), or `Int64.min` before any.
    public internal(set) var newestEventTime: Int64 = .min
    /// The highest sequence number observed (applied or late), or nil before any: where to resume reading
    /// the log after restoring a snapshot.
    public internal(set) var lastSequence: Int64?
    /// The ids of the rules a restore found no state for (new, or changed since the snapshot); empty for an
    /// engine that was not restored.
    public internal(set) var rulesStartedEmpty: [String] = []
    /// Alerts raised while replaying (`beginReplay(through:)`) and not returned.
    public private(set) var replayedAlerts = 0
    var replay = SilentReplay()
    var placements: [Placement] = []
    var eventCounts: [EventCountMachine] = []
    var closingWindows: [ClosingWindowMachine] = []
    var valueCounts: [ValueCountMachine] = []
    var temporals: [TemporalMachine] = []
    var ordered: [OrderedTemporalMachine] = []
    var firstSeen: [FirstSeenMachine] = []
    var absences: [AbsenceMachine] = []
    var travels: [TravelMachine] = []
    /// The `newestEventTime` at which the earliest timer (a window to close, an absence to report)
    /// comes due; `Int64.max` when none is set.
    public internal(set) var nextFiring: Int64 = .max
    private let handles: [String: Int]

    /// Event times are clamped to ±2^60 ms (±36 million years) so window arithmetic cannot overflow.
    static let timeBound: Int64 = 1 << 60

    /// Creates an engine with empty state.
    ///
    /// - Parameters:
    ///   - rules: The rules; ids must be unique.
    ///   - evidenceLimit: How many evidence sequence numbers an alert lists before the last one (default 10).
    /// - Throws: `DetectionError` with every problem of the first invalid rule, or `.duplicateRule`.
    public init(rules: [DetectionRule], evidenceLimit: Int = 10) throws(DetectionError) {
        var handles: [String: Int] = [:]
        for (index, rule) in rules.enumerated() {
            if let problem = rule.problems.first {
                throw problem
            }
            guard handles.updateValue(index, forKey: rule.id) == nil else {
                throw DetectionError(
                    rule: rule.id,
                    code: .duplicateRule,
                    message: "two detection rules share this id; give each rule its own id"
                )
            }
        }
        self.rules = rules
        self.evidenceLimit = max(1, evidenceLimit)
        self.handles = handles
        for rule in rules {
            placements.append(makeMachine(for: rule))
        }
    }

    /// The handle of a rule, or nil when no rule has that id.
    public func handle(for id: String) -> RuleHandle? {
        handles[id].map(RuleHandle.init(index:))
    }

    /// Applies one observation; returns the alerts it raised and whether it was late.
    ///
    /// - Precondition: `observation.rule` is a handle of this engine.
    public mutating func observe(_ observation: Observation) -> ObservationOutcome {
        let index = observation.rule.index
        precondition(placements.indices.contains(index), "DetectionEngine.observe: a handle of another engine")
        var observation = observation
        observation.eventTime = Self.clamp(observation.eventTime)
        let isSilent = replay.covers(observation.sequence)
        lastSequence = max(lastSequence ?? .min, observation.sequence)
        let lateness = rules[index].allowedLateness
        guard observation.eventTime >= watermark(lateness: lateness) else {
            withStatistics(index) { $0.late += 1 }
            return ObservationOutcome(alerts: [], isLate: true)
        }
        var alerts: [Alert] = []
        if observation.eventTime > newestEventTime {
            newestEventTime = observation.eventTime
            if newestEventTime >= nextFiring {
                fireTimers(into: &alerts)
            }
        }
        let context = MachineContext(watermark: watermark(lateness: lateness), evidenceLimit: evidenceLimit)
        switch placements[index] {
        case .eventCount(let machine):
            eventCounts[machine].apply(observation, context: context, alerts: &alerts)
        case .closingWindow(let machine):
            closingWindows[machine].apply(observation, context: context, alerts: &alerts)
            noteTimer(closingWindows[machine].timers.earliest, lateness: lateness)
        case .valueCount(let machine):
            valueCounts[machine].apply(observation, context: context, alerts: &alerts)
        case .temporal(let machine):
            temporals[machine].apply(observation, context: context, alerts: &alerts)
        case .ordered(let machine):
            ordered[machine].apply(observation, context: context, alerts: &alerts)
        case .firstSeen(let machine):
            firstSeen[machine].apply(observation, context: context, alerts: &alerts)
        case .absence(let machine):
            absences[machine].apply(observation, context: context, alerts: &alerts)
            noteTimer(absences[machine].timers.earliest, lateness: lateness)
        case .travel(let machine):
            travels[machine].apply(observation, context: context, alerts: &alerts)
        }
        if isSilent {
            replayedAlerts += alerts.count
            alerts.removeAll()
        }
        return ObservationOutcome(alerts: alerts, isLate: false)
    }

    /// Moves event time forward without an observation (a log event no rule matched, or the injected clock
    /// for sources that can fall silent); returns the alerts of the windows and absences that closed.
    ///
    /// Driven with the event times of the log, in log order, the engine stays deterministic: a replay makes
    /// the same calls. Driven with a clock, absences fire even when nothing arrives, but the clock also
    /// becomes the newest event time, so events older than the clock minus the lateness count as late; their
    /// alerts are still de-duplicated by identity.
    public mutating func advance(to time: Int64) -> [Alert] {
        let time = Self.clamp(time)
        guard time > newestEventTime else {
            return []
        }
        newestEventTime = time
        guard time >= nextFiring else {
            return []
        }
        var alerts: [Alert] = []
        fireTimers(into: &alerts)
        if replay.isActive {
            replayedAlerts += alerts.count
            return []
        }
        return alerts
    }

    /// Starts a silent replay: observations up to `sequence` (the last one whose alerts were already
    /// recorded) rebuild state but return no alerts, nor do `advance(to:)` calls before the first
    /// observation past it, which ends the replay.
    public mutating func beginReplay(through sequence: Int64) {
        replay.begin(through: sequence)
    }

    /// The counters of one rule.
    public func statistics(for handle: RuleHandle) -> RuleStatistics {
        switch placements[handle.index] {
        case .eventCount(let machine): return eventCounts[machine].statistics
        case .closingWindow(let machine): return closingWindows[machine].statistics
        case .valueCount(let machine): return valueCounts[machine].statistics
        case .temporal(let machine): return temporals[machine].statistics
        case .ordered(let machine): return ordered[machine].statistics
        case .firstSeen(let machine): return firstSeen[machine].statistics
        case .absence(let machine): return absences[machine].statistics
        case .travel(let machine): return travels[machine].statistics
        }
    }

    /// The watermark of a rule with this lateness.
    func watermark(lateness: Int64) -> Int64 {
        newestEventTime == .min ? .min : newestEventTime - lateness
    }

    static func clamp(_ time: Int64) -> Int64 {
        min(max(time, -timeBound), timeBound)
    }

    private mutating func noteTimer(_ deadline: Int64?, lateness: Int64) {
        if let deadline {
            nextFiring = min(nextFiring, deadline + lateness + 1)
        }
    }

    /// Finds when the earliest timer comes due.
    mutating func recomputeNextFiring() {
        nextFiring = .max
        for (index, placement) in placements.enumerated() {
            switch placement {
            case .closingWindow(let machine):
                noteTimer(closingWindows[machine].timers.earliest, lateness: rules[index].allowedLateness)
            case .absence(let machine):
                noteTimer(absences[machine].timers.earliest, lateness: rules[index].allowedLateness)
            default:
                break
            }
        }
    }

    /// Closes due windows and reports due absences, rule by rule in handle order, then finds the next due
    /// time.
    mutating func fireTimers(into alerts: inout [Alert]) {
        nextFiring = .max
        for index in placements.indices {
            let lateness = rules[index].allowedLateness
            let watermark = watermark(lateness: lateness)
            switch placements[index] {
            case .closingWindow(let machine):
                closingWindows[machine].closeWindows(watermark: watermark, alerts: &alerts)
                noteTimer(closingWindows[machine].timers.earliest, lateness: lateness)
            case .absence(let machine):
                absences[machine].reportAbsences(watermark: watermark, alerts: &alerts)
                noteTimer(absences[machine].timers.earliest, lateness: lateness)
            default:
                break
            }
        }
    }

    private mutating func withStatistics(_ index: Int, _ change: (inout RuleStatistics) -> Void) {
        switch placements[index] {
        case .eventCount(let machine): change(&eventCounts[machine].statistics)
        case .closingWindow(let machine): change(&closingWindows[machine].statistics)
        case .valueCount(let machine): change(&valueCounts[machine].statistics)
        case .temporal(let machine): change(&temporals[machine].statistics)
        case .ordered(let machine): change(&ordered[machine].statistics)
        case .firstSeen(let machine): change(&firstSeen[machine].statistics)
        case .absence(let machine): change(&absences[machine].statistics)
        case .travel(let machine): change(&travels[machine].statistics)
        }
    }
}
