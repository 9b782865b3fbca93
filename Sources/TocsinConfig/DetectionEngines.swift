// SPDX-License-Identifier: Apache-2.0

public import TocsinCore
public import TocsinDetect

/// The stateful rules of a ``DetectionTable`` running: one ``TocsinDetect/DetectionEngine`` per rule,
/// fed from the table's evaluations.
///
/// Each rule has an engine of its own, so each keeps its own event-time watermark: a source whose
/// events arrive an hour late (CloudTrail) never makes another source's events (sshd) late, and
/// Tocsin's own events, stamped with the clock, move no rule's time. Pure: the server's detection
/// service, `tocsin sigma test`, `tocsin rules test` and backtests all run through it.
public struct DetectionEngines: Sendable {
    /// One alert of one rule.
    public struct Raised: Sendable, Hashable {
        /// What the rule's alerts say.
        public var source: DetectionTable.Source
        /// The engine's alert.
        public var alert: TocsinDetect.Alert
    }

    /// The table the engines run.
    public let table: DetectionTable
    /// The engines, in ``DetectionTable/rules`` order.
    public private(set) var engines: [DetectionEngine]
    /// Observations older than their rule's allowed lateness, since the start.
    public private(set) var lateObservations = 0
    /// The last sequence number of a silent replay in progress.
    private var replay = SilentReplay()

    /// No engines: nothing is detected.
    public static let idle = DetectionEngines(table: .empty, engines: [])

    private init(table: DetectionTable, engines: [DetectionEngine]) {
        self.table = table
        self.engines = engines
    }

    /// Engines with empty state.
    ///
    /// - Throws: `DetectionError` when the engine refuses one of the table's rules.
    public init(table: DetectionTable) throws(DetectionError) {
        var engines: [DetectionEngine] = []
        for rule in table.rules {
            engines.append(try DetectionEngine(rules: [rule]))
        }
        self.table = table
        self.engines = engines
    }

    /// Engines for `table` that keep the state of `previous`'s engines for every rule that did not
    /// change; new and changed rules start empty.
    ///
    /// - Throws: `DetectionError` when the engine refuses one of the table's rules.
    public init(table: DetectionTable, keepingFrom previous: DetectionEngines) throws(DetectionError) {
        var kept: [String: DetectionEngine] = [:]
        for (rule, engine) in zip(previous.table.rules, previous.engines) {
            kept[rule.id] = engine
        }
        var engines: [DetectionEngine] = []
        for rule in table.rules {
            if let engine = kept[rule.id], engine.rules == [rule] {
                engines.append(engine)
            } else {
                engines.append(try DetectionEngine(rules: [rule]))
            }
        }
        self.table = table
        self.engines = engines
    }

    /// Starts a silent replay through `sequence`: observations up to it rebuild state (chained
    /// correlations included) and raise nothing; from the first later one on, alerts are returned.
    public mutating func beginReplay(through sequence: Int64) {
        replay.begin(through: sequence)
    }

    /// Feeds the stateful matches of one event's evaluation to their engines, and the alerts of
    /// correlations to the correlations they feed (chaining).
    ///
    /// - Parameters:
    ///   - evaluation: What ``DetectionTable/evaluate(_:context:)`` found in the event.
    ///   - sequence: The event's sequence number (or line number).
    ///   - time: Its event time, in milliseconds.
    /// - Returns: The alerts raised, in order (a chained correlation's after the alert that fed it).
    public mutating func observe(_ evaluation: DetectionTable.Evaluation, sequence: Int64, time: Int64) -> [Raised] {
        observe(evaluation, sequence: sequence, time: time) { _ in true }
    }

    /// Feeds the matches `owns` accepts (by their position in `evaluation.matches`) to their engines,
    /// as ``observe(_:sequence:time:)`` does; a match it refuses (a group another partition holds)
    /// only moves its rule's event time, so the windows of this partition's groups close when they
    /// would in a single set of engines.
    ///
    /// - Returns: The alerts raised, in order: those of windows that closed included.
    public mutating func observe(
        _ evaluation: DetectionTable.Evaluation,
        sequence: Int64,
        time: Int64,
        owns: (Int) -> Bool
    ) -> [Raised] {
        let isSilent = replay.covers(sequence)
        var raised: [Raised] = []
        for (position, match) in evaluation.matches.enumerated() {
            if owns(position) {
                observe(match, sequence: sequence, time: time, into: &raised)
            } else if engines.indices.contains(match.rule) {
                for alert in engines[match.rule].advance(to: time) {
                    raise(alert, of: match.rule, into: &raised)
                }
            }
        }
        return isSilent ? [] : raised
    }

    /// Moves the time of the absence rules to `time` (the ingest time of an event the detection
    /// service read, whatever it is), raising the absences whose deadline it passes.
    ///
    /// - Parameters:
    ///   - time: Milliseconds; earlier than a rule's newest time, it changes nothing.
    ///   - sequence: The sequence number of the event read (a silent replay raises nothing up to its end).
    /// - Returns: The alerts raised, in order.
    public mutating func advanceAbsences(to time: Int64, sequence: Int64) -> [Raised] {
        let isSilent = replay.covers(sequence)
        var raised: [Raised] = []
        for index in engines.indices {
            guard case .absence = table.rules[index].kind else {
                continue
            }
            raised += engines[index].advance(to: time).map { Raised(source: table.sources[index], alert: $0) }
        }
        return isSilent ? [] : raised
    }

    /// The ingest time at which the earliest absence comes due, or `nil` when none is waiting.
    ///
    /// Absence time moves only with the events read; a reader that finds the log idle past this
    /// time appends an event of its own so that the silence is reported (see the runtime's clock
    /// ticks), and a replay of the log reaches the same answer.
    public var nextAbsenceDue: Int64? {
        var due = Int64.max
        for index in engines.indices {
            if case .absence = table.rules[index].kind {
                due = min(due, engines[index].nextFiring)
            }
        }
        return due == .max ? nil : due
    }

    /// Closes every window still open (the end of a file or a backtest): the alerts of conditions
    /// decided when a window closes (`lt`, `lte`, `eq`, ranges), fed on to the correlations they feed.
    ///
    /// Absence rules are left as they are: the end of the input is not a silence.
    public mutating func finish() -> [Raised] {
        var raised: [Raised] = []
        // Children come before their parents, so a parent closes after what its children fed it.
        for index in engines.indices {
            if case .absence = table.rules[index].kind {
                continue
            }
            for alert in engines[index].advance(to: .max) {
                raise(alert, of: index, into: &raised)
            }
        }
        return raised
    }

    private mutating func observe(
        _ match: DetectionTable.Match,
        sequence: Int64,
        time: Int64,
        into raised: inout [Raised]
    ) {
        guard engines.indices.contains(match.rule),
            let handle = engines[match.rule].handle(for: table.rules[match.rule].id)
        else {
            return
        }
        let outcome = engines[match.rule].observe(
            Observation(
                rule: handle,
                referencedRule: match.referencedRule,
                sequence: sequence,
                eventTime: time,
                group: match.group,
                value: match.value,
                location: match.location
            )
        )
        if outcome.isLate {
            lateObservations += 1
        }
        for alert in outcome.alerts {
            raise(alert, of: match.rule, into: &raised)
        }
    }

    /// Records an alert of engine rule `index` (unless a parent correlation hides it) and feeds it
    /// to the correlations it chains into, at the event time and sequence of its last evidence.
    private mutating func raise(_ alert: TocsinDetect.Alert, of index: Int, into raised: inout [Raised]) {
        let chained = table.chained(from: index, group: alert.group)
        if chained.isRaised {
            raised.append(Raised(source: table.sources[index], alert: alert))
        }
        for match in chained.matches {
            observe(match, sequence: alert.evidence.last ?? 0, time: alert.lastTime, into: &raised)
        }
    }

    /// An event's time for detection: its `time` member (RFC 3339), or `fallback`.
    public static func time(of document: JSONValue, fallback: Int64) -> Int64 {
        document["time"]?.stringValue.flatMap(Timestamp.init(rfc3339:))?.epochMilliseconds ?? fallback
    }
}
