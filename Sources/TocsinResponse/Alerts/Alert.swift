// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// A detection's finding: what a rule concluded from one or more events, recorded in the log as a
/// `tocsin.alert.raised` event.
///
/// Producers (Sigma rules, correlations, thresholds, native detections, the `incident` target) build
/// one, give it a stable ``identity`` and append ``event(identifiers:)``; the incident projection
/// reads it back with ``init(json:)`` and groups it into an incident.
public struct Alert: Sendable, Hashable {
    /// How serious an alert is, in Sigma's levels.
    public enum Level: String, Sendable, Hashable, CaseIterable, Comparable {
        /// Worth recording; nobody needs to look.
        case informational
        /// Rarely malicious on its own.
        case low
        /// Worth a look.
        case medium
        /// Likely malicious; look soon.
        case high
        /// Malicious with high confidence; look now.
        case critical

        /// The level's rank, from 0 (informational) to 4 (critical), used for ordering and filtering.
        public var rank: Int {
            switch self {
            case .informational: 0
            case .low: 1
            case .medium: 2
            case .high: 3
            case .critical: 4
            }
        }

        /// Orders levels by seriousness.
        public static func < (lhs: Level, rhs: Level) -> Bool {
            lhs.rank < rhs.rank
        }

        /// The levels' names, comma-separated, for messages.
        public static var names: String {
            allCases.map(\.rawValue).joined(separator: ", ")
        }
    }

    /// Which kind of detection raised the alert.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A Sigma detection rule matched one event.
        case sigma
        /// A Sigma correlation rule (`event_count`, `value_count`, `temporal`, `temporal_ordered`) fired.
        case correlation
        /// A pattern rule's `threshold` was crossed.
        case threshold
        /// A value was seen for the first time for its key after the learning period.
        case firstSeen = "first_seen"
        /// An expected event did not arrive in time.
        case absence
        /// Two logins of one user were too far apart for the time between them.
        case impossibleTravel = "impossible_travel"
        /// An event pattern rule sent an event to an `incident` target.
        case pattern

        /// The kinds' names, comma-separated, for messages.
        public static var names: String {
            allCases.map(\.rawValue).joined(separator: ", ")
        }
    }

    /// One group-by field and the value the alert's events share for it.
    public struct GroupValue: Sendable, Hashable {
        /// The field, as the rule names it (`src_ip`, `$.ocsf.src_endpoint.ip`).
        public var field: String
        /// The shared value.
        public var value: JSONValue

        /// Creates a pair.
        public init(field: String, value: JSONValue) {
            self.field = field
            self.value = value
        }
    }

    /// The most evidence sequence numbers an alert carries; ``count`` still says how many events
    /// the detection counted.
    public static let maximumEvidence = 1000

    /// The id of the rule that raised the alert.
    public var rule: String
    /// A one-line title (a Sigma rule's `title`).
    public var title: String
    /// How serious it is.
    public var level: Level
    /// ATT&CK and other tags (`attack.credential_access`, `attack.t1110`), in the rule's order.
    public var tags: [String]
    /// The rule's author, credited as the Detection Rule License requires; `nil` when the rule names none.
    public var author: String?
    /// Which kind of detection raised it.
    public var kind: Kind
    /// Sequence numbers of the events it rests on, in the log's order (at most ``maximumEvidence``).
    public var evidence: [Int64]
    /// The group-by fields and their values, in the rule's order (empty for a rule without grouping).
    public var group: [GroupValue]
    /// How many events the detection counted (1 for a single-event rule).
    public var count: Int
    /// The event time of the first event counted (milliseconds since the epoch).
    public var firstEventMilliseconds: Int64
    /// The event time of the last event counted (milliseconds since the epoch).
    public var lastEventMilliseconds: Int64
    /// The rule is staged: the alert is recorded, but it opens no incident and no target fires.
    public var isStaged: Bool
    /// Groups the alert into the incident with this key instead of the default (rule and group values).
    public var incidentKey: String?
    /// What makes this alert this alert, chosen by the producer (`<rule>/<group>/<window start>`): an
    /// alert raised again with the same identity is the same record.
    public var identity: String
    /// For a threshold rule's alert, the event that crossed the threshold (its match document).
    ///
    /// The rule's targets receive it with the alert under `alert`. `nil` for other alerts.
    public var trigger: JSONValue?

    /// Creates an alert.
    public init(
        rule: String,
        title: String,
        level: Level,
        tags: [String] = [],
        author: String? = nil,
        kind: Kind,
        evidence: [Int64],
        group: [GroupValue] = [],
        count: Int = 1,
        firstEventMilliseconds: Int64,
        lastEventMilliseconds: Int64,
        isStaged: Bool = false,
        incidentKey: String? = nil,
        identity: String
    ) {
        self.rule = rule
        self.title = title
        self.level = level
        self.tags = tags
        self.author = author
        self.kind = kind
        self.evidence = evidence
        self.group = group
        self.count = count
        self.firstEventMilliseconds = firstEventMilliseconds
        self.lastEventMilliseconds = lastEventMilliseconds
        self.isStaged = isStaged
        self.incidentKey = incidentKey
        self.identity = identity
    }

    /// The key of the incident the alert belongs to: ``incidentKey`` when given, else the rule id and
    /// the group values.
    ///
    /// The default key is the JSON text of `[rule, [field, value], …]`, so two different rules or
    /// groups never share one.
    public var groupingKey: String {
        if let incidentKey {
            return incidentKey
        }
        let pairs = group.map { JSONValue.array([.string($0.field), $0.value]) }
        return JSONWriter().string(.array([.string(rule)] + pairs))
    }

    /// Group values as a JSON array of `{"field": …, "value": …}` objects, in order.
    public static func json(group: [GroupValue]) -> JSONValue {
        .array(
            group.map {
                .object(
                    JSONObject([.init(name: "field", value: .string($0.field)), .init(name: "value", value: $0.value)])
                )
            }
        )
    }

    /// The alert as the `data` of its `tocsin.alert.raised` event (the schema in `docs/alerts.md`).
    public var json: JSONValue {
        let time = { (milliseconds: Int64) in JSONValue.string(Timestamp(epochMilliseconds: milliseconds).text) }
        return .object(
            JSONObject(
                [
                    .init(name: "rule", value: .string(rule)),
                    .init(name: "title", value: .string(title)),
                    .init(name: "level", value: .string(level.rawValue)),
                    .init(name: "tags", value: .array(tags.map(JSONValue.string))),
                    .init(name: "author", value: author.map(JSONValue.string) ?? .null),
                    .init(name: "kind", value: .string(kind.rawValue)),
                    .init(name: "evidence", value: .array(evidence.map { .number(JSONNumber($0)) })),
                    .init(name: "group", value: Self.json(group: group)),
                    .init(name: "count", value: .number(JSONNumber(Int64(count)))),
                    .init(name: "first_event_time", value: time(firstEventMilliseconds)),
                    .init(name: "last_event_time", value: time(lastEventMilliseconds)),
                    .init(name: "staged", value: .bool(isStaged)),
                    .init(name: "incident_key", value: incidentKey.map(JSONValue.string) ?? .null),
                    .init(name: "identity", value: .string(identity)),
                ] + (trigger.map { [.init(name: "trigger", value: $0)] } ?? [])
            )
        )
    }
}
