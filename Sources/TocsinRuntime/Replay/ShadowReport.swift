// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// What a replay found: how many events it read, what would have matched, alerted and been
/// delivered (counts per rule and per target), and the first examples of each, by sequence number.
///
/// Everything in it follows from the events and the rules alone (no wall clock, no random ids),
/// so the same range replayed twice gives the same report.
public struct ShadowReport: Sendable, Hashable {
    /// Counts for one rule.
    public struct RuleCounts: Sendable, Hashable {
        /// Events the rule's pattern matched (a routing rule), or Sigma rule matches.
        public var matched = 0
        /// Alerts the rule raised.
        public var alerts = 0
        /// Deliveries the rule called for.
        public var deliveries = 0
    }

    /// Counts for one target.
    public struct TargetCounts: Sendable, Hashable {
        /// Deliveries that would have been sent.
        public var deliveries = 0
        /// Deliveries that would only have been recorded (the rule or target is in dry-run mode, or
        /// the rule is staged).
        public var dryRuns = 0
    }

    /// One example: an event that matched a rule, an alert, or a delivery.
    public struct Example: Sendable, Hashable {
        /// The sequence number of the event replayed.
        public var sequence: Int64
        /// The rule.
        public var rule: String
        /// The target, for a delivery.
        public var target: String?
        /// The alert, for an alert (its `tocsin.alert.raised` data, without the triggering event).
        public var alert: JSONValue?
    }

    /// Events read in the range.
    public var events = 0
    /// Events run through the rules (read, not Tocsin's own delivery, alert or replay records, and
    /// matching the replay's pattern when it has one).
    public var replayed = 0
    /// Events later than their rule's allowed lateness, not counted by a stateful detection.
    public var late = 0
    /// Counts per rule name.
    public var rules: [String: RuleCounts] = [:]
    /// Counts per target name.
    public var targets: [String: TargetCounts] = [:]
    /// The first matches, in sequence order.
    public var matchExamples: [Example] = []
    /// The first alerts, in the order they were raised.
    public var alertExamples: [Example] = []
    /// The first deliveries, in the order they were routed.
    public var deliveryExamples: [Example] = []

    /// An empty report.
    public init() {}

    /// The report as JSON, keys sorted by name so two equal reports print the same text.
    public var json: JSONValue {
        let rules = self.rules.sorted { $0.key < $1.key }.map { name, counts in
            JSONObject.Member(
                name: name,
                value: Self.object([
                    ("matched", Self.number(counts.matched)),
                    ("alerts", Self.number(counts.alerts)),
                    ("deliveries", Self.number(counts.deliveries)),
                ])
            )
        }
        let targets = self.targets.sorted { $0.key < $1.key }.map { name, counts in
            JSONObject.Member(
                name: name,
                value: Self.object([
                    ("deliveries", Self.number(counts.deliveries)),
                    ("dry_runs", Self.number(counts.dryRuns)),
                ])
            )
        }
        let totals = self.rules.values.reduce(into: RuleCounts()) {
            $0.matched += $1.matched
            $0.alerts += $1.alerts
            $0.deliveries += $1.deliveries
        }
        return Self.object([
            ("events", Self.number(events)),
            ("replayed", Self.number(replayed)),
            ("late", Self.number(late)),
            ("matched", Self.number(totals.matched)),
            ("alerts", Self.number(totals.alerts)),
            ("deliveries", Self.number(totals.deliveries)),
            ("rules", .object(JSONObject(rules))),
            ("targets", .object(JSONObject(targets))),
            (
                "examples",
                Self.object([
                    ("matches", .array(matchExamples.map(\.json))),
                    ("alerts", .array(alertExamples.map(\.json))),
                    ("deliveries", .array(deliveryExamples.map(\.json))),
                ])
            ),
        ])
    }

    static func object(_ members: [(String, JSONValue)]) -> JSONValue {
        .object(JSONObject(members.map { JSONObject.Member(name: $0.0, value: $0.1) }))
    }

    static func number(_ value: Int) -> JSONValue {
        .number(JSONNumber(Int64(value)))
    }
}

extension ShadowReport.Example {
    /// The example as JSON: `seq`, `rule`, and `target` or `alert` when it has one.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [("seq", .number(JSONNumber(sequence))), ("rule", .string(rule))]
        if let target {
            members.append(("target", .string(target)))
        }
        if let alert {
            members.append(("alert", alert))
        }
        return ShadowReport.object(members)
    }
}
