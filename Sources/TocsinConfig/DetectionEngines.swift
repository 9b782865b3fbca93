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

    /// Starts a silent replay of every engine through `sequence` (see `DetectionEngine.beginReplay`).
    public mutating func beginReplay(through sequence: Int64) {
        for index in engines.indices {
            engines[index].beginReplay(through: sequence)
        }
    }

    /// Feeds the stateful matches of one event's evaluation to their engines.
    ///
    /// - Parameters:
    ///   - evaluation: What ``DetectionTable/evaluate(_:context:)`` found in the event.
    ///   - sequence: The event's sequence number (or line number).
    ///   - time: Its event time, in milliseconds.
    /// - Returns: The alerts raised, in order.
    public mutating func observe(_ evaluation: DetectionTable.Evaluation, sequence: Int64, time: Int64) -> [Raised] {
        var raised: [Raised] = []
        for match in evaluation.matches where engines.indices.contains(match.rule) {
            guard let handle = engines[match.rule].handle(for: table.rules[match.rule].id) else {
                continue
            }
            let outcome = engines[match.rule].observe(
                Observation(
                    rule: handle,
                    referencedRule: match.referencedRule,
                    sequence: sequence,
                    eventTime: time,
                    group: match.group,
                    value: match.value
                )
            )
            if outcome.isLate {
                lateObservations += 1
            }
            raised += outcome.alerts.map { Raised(source: table.sources[match.rule], alert: $0) }
        }
        return raised
    }

    /// Closes every window still open (the end of a file or a backtest): the alerts of conditions
    /// decided when a window closes (`lt`, `lte`, `eq`, ranges).
    public mutating func finish() -> [Raised] {
        engines.indices.flatMap { index in
            engines[index].advance(to: .max).map { Raised(source: table.sources[index], alert: $0) }
        }
    }

    /// An event's time for detection: its `time` member (RFC 3339), or `fallback`.
    public static func time(of document: JSONValue, fallback: Int64) -> Int64 {
        document["time"]?.stringValue.flatMap(Timestamp.init(rfc3339:))?.epochMilliseconds ?? fallback
    }
}
