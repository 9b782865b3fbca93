// SPDX-License-Identifier: Apache-2.0

/// One stateful detection: a correlation (event count, value count, temporal, temporal ordered) or a native
/// detection (first-seen value, absence, impossible travel), with its bounds.
///
/// Plain data: the Sigma front-end and the pattern-rule `threshold:` map onto it. Times are milliseconds of
/// event time.
public struct DetectionRule: Sendable, Hashable, Codable {
    /// What the rule detects.
    public enum Kind: Sendable, Hashable, Codable {
        /// The number of events of a group within `window` satisfies `condition` (Sigma `event_count`).
        case eventCount(window: Int64, condition: CountCondition)
        /// The number of distinct values of a field of a group within `window` satisfies `condition`
        /// (Sigma `value_count`); `gt` and `gte` only.
        case valueCount(window: Int64, condition: CountCondition)
        /// The named rules all matched for a group within `window`, in any order (Sigma `temporal`).
        ///
        /// `condition`, when given, counts distinct rules instead (`gte(2)`: any two of them); `gt` and `gte`
        /// only.
        case temporal(window: Int64, rules: [String], condition: CountCondition?)
        /// The named rules matched for a group within `window`, in the order listed, by event time
        /// (Sigma `temporal_ordered`). A name may appear more than once.
        case temporalOrdered(window: Int64, rules: [String])
        /// A value never seen for the group (for example a new country for a user) after the learning period,
        /// which ends `learning` after the first event the rule receives.
        ///
        /// At most `maximumValuesPerGroup` values are remembered per group (the least recently seen is
        /// forgotten first). A group first seen after learning learns its first value silently unless
        /// `alertsOnNewGroup`.
        case firstSeen(learning: Int64, maximumValuesPerGroup: Int, alertsOnNewGroup: Bool)
        /// No event for a group arrived within `after` of its last one.
        case absence(after: Int64)
        /// Two events of a group (logins of a user) whose great-circle distance over the time between them
        /// exceeds `maximumKilometresPerHour`; pairs closer than `minimumKilometres` are ignored
        /// (GeoIP noise).
        case impossibleTravel(maximumKilometresPerHour: Double, minimumKilometres: Double)
    }

    /// The rule's id; alerts carry it.
    ///
    /// The Sigma correlation's id or name, or the pattern rule's name.
    public var id: String
    /// What the rule detects.
    public var kind: Kind
    /// How far behind the newest event time an event may arrive and still be applied (milliseconds).
    public var allowedLateness: Int64
    /// The suppression period in milliseconds; nil means the rule's window, 0 means no suppression.
    ///
    /// A group raises at most one alert per period of event time; periods are aligned on multiples of it.
    /// It applies to the arrival conditions (`gt`, `gte`) and to temporal rules. Closing windows fire at most
    /// once each; first-seen fires once per new value; absence once per silence; impossible travel once per
    /// pair.
    public var suppression: Int64?
    /// The most groups kept at once; past it, expired groups are dropped first, then the least recently
    /// used (both counted).
    public var maximumGroups: Int

    /// Creates a rule.
    ///
    /// - Parameters:
    ///   - id: The rule's id.
    ///   - kind: What it detects.
    ///   - allowedLateness: Milliseconds an event may lag the newest event time and still count (default 0).
    ///   - suppression: The suppression period; nil for the window (the default), 0 for none.
    ///   - maximumGroups: The most groups kept (default 100,000).
    public init(
        id: String,
        kind: Kind,
        allowedLateness: Int64 = 0,
        suppression: Int64? = nil,
        maximumGroups: Int = 100_000
    ) {
        self.id = id
        self.kind = kind
        self.allowedLateness = allowedLateness
        self.suppression = suppression
        self.maximumGroups = maximumGroups
    }

    /// A pattern rule's `threshold: {count, within_seconds}`: `count` or more matching events of a group within
    /// `withinSeconds`.
    ///
    /// - Parameters:
    ///   - id: The pattern rule's name.
    ///   - count: The number of events that crosses the threshold.
    ///   - withinSeconds: The window in seconds.
    ///   - allowedLateness: Milliseconds an event may lag and still count (default 0).
    /// - Returns: An event count rule with `gte(count)`.
    public static func threshold(
        id: String,
        count: Int,
        withinSeconds: Int64,
        allowedLateness: Int64 = 0
    ) -> DetectionRule {
        DetectionRule(
            id: id,
            kind: .eventCount(window: withinSeconds * 1000, condition: .gte(count)),
            allowedLateness: allowedLateness
        )
    }

    /// The window of a correlation, or the span an event stays relevant for a native detection
    /// (milliseconds); nil when unbounded (first-seen remembers values for ever).
    public var window: Int64? {
        switch kind {
        case .eventCount(let window, _), .valueCount(let window, _), .temporal(let window, _, _),
            .temporalOrdered(let window, _):
            return window
        case .absence(let after):
            return after
        case .impossibleTravel(let speed, _):
            return TravelMachine.relevantSpan(maximumKilometresPerHour: speed)
        case .firstSeen:
            return nil
        }
    }

    /// The suppression period in effect (milliseconds; 0 for none).
    var suppressionPeriod: Int64 {
        suppression ?? window ?? 0
    }
}
