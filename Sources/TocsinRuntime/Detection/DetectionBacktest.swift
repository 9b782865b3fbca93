// SPDX-License-Identifier: Apache-2.0

public import TocsinConfig
public import TocsinCore
import TocsinResponse
public import TocsinStore

/// Runs a detection table over stored history and reports what it would have raised, appending
/// nothing: `tocsin rules backtest`.
///
/// The events are replayed in sequence order through the same runner the server uses, so the
/// answer is the server's answer for that stretch of log (with empty state at its start).
public enum DetectionBacktest {
    /// What a backtest read and found.
    public struct Summary: Sendable, Hashable {
        /// Events read in the range.
        public var events = 0
        /// Alerts the rule would have raised.
        public var alerts = 0
        /// Events that arrived later than the rule's allowed lateness, not counted.
        public var late = 0
    }

    /// Replays the events of `from..<to` (event time, milliseconds) through `table`.
    ///
    /// - Parameters:
    ///   - table: The detections to run (``DetectionTable/only(_:rules:sigma:)``).
    ///   - log: The log to read.
    ///   - from: The first event time, inclusive.
    ///   - to: The last event time, exclusive.
    ///   - onAlert: Receives each alert, as the `data` of the `tocsin.alert.raised` it would have appended.
    /// - Returns: The counts.
    /// - Throws: What reading the log throws, or a `DetectionError` for a rule the engine refuses.
    public static func run(
        _ table: DetectionTable,
        log: LogReader,
        from: Int64,
        to: Int64,
        onAlert: (JSONValue) -> Void
    ) throws -> Summary {
        var runner = try DetectionRunner(table: table)
        let identifiers = EventIdentifiers.ephemeral()
        var summary = Summary()
        try log.forEachEvent(from: from, to: to) { logged in
            summary.events += 1
            for event in runner.process(logged, identifiers: identifiers) {
                guard var alert = try? Alert(event: event) else {
                    continue
                }
                alert.trigger = nil
                summary.alerts += 1
                onAlert(alert.json)
            }
        }
        summary.late = runner.lateObservations
        return summary
    }
}
