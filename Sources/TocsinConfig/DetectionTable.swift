// SPDX-License-Identifier: Apache-2.0

public import TocsinCore
public import TocsinDetect
public import TocsinResponse
public import TocsinRules

/// The stateful detections in force, compiled: the enabled pattern rules with a `threshold`, as
/// detection rules for a ``TocsinDetect/DetectionEngine`` and one pattern machine that finds
/// which of them an event feeds.
///
/// Immutable: a change builds a new table. Rule `i` of ``rules`` is the engine rule of
/// ``sources`` entry `i`.
public struct DetectionTable: Sendable {
    /// Where an engine rule comes from, and what its alerts say.
    public struct Source: Sendable, Hashable {
        /// The rule's name (the engine rule's id).
        public var name: String
        /// A title for people: the rule's description, or its name.
        public var title: String
        /// The group-by paths, as written.
        public var groupBy: [JSONPath]
        /// Whether the rule only records its alerts.
        public var staged: Bool
        /// How serious its alerts are.
        public var level: TocsinResponse.Alert.Level
    }

    /// The engine rules, in ``sources`` order.
    public let rules: [DetectionRule]
    /// Where each engine rule comes from.
    public let sources: [Source]
    private let machine: PatternMachine

    /// Builds the table from the rules in force: enabled ones with a threshold become detections.
    public init(rules: [RuleDefinition]) {
        let thresholds = rules.filter { $0.enabled && $0.threshold != nil }.sorted { $0.name < $1.name }
        var engineRules: [DetectionRule] = []
        var sources: [Source] = []
        for rule in thresholds {
            guard let threshold = rule.threshold else {
                continue
            }
            engineRules.append(
                .threshold(
                    id: rule.name,
                    count: threshold.count,
                    withinSeconds: threshold.withinSeconds,
                    allowedLateness: threshold.allowedLatenessSeconds * 1000
                )
            )
            sources.append(
                Source(
                    name: rule.name,
                    title: rule.description ?? rule.name,
                    groupBy: threshold.groupBy,
                    staged: rule.staged,
                    level: rule.level
                )
            )
        }
        self.rules = engineRules
        self.sources = sources
        self.machine = PatternMachine(rules: thresholds.map { PatternMachine.Rule(name: $0.name, pattern: $0.pattern) })
    }

    /// An empty table.
    public static let empty = DetectionTable(rules: [])

    /// One rule an event feeds, with the event's group for it.
    public struct Match: Sendable, Hashable {
        /// The rule's position in ``rules`` and ``sources``.
        public var rule: Int
        /// The group-by values as text, in the rule's order.
        public var group: [String]

        /// Creates a match.
        public init(rule: Int, group: [String]) {
            self.rule = rule
            self.group = group
        }
    }

    /// The rules one event feeds: those it matches whose group-by paths all have a value in it (an
    /// event without one is not counted in any group).
    ///
    /// - Parameters:
    ///   - document: The event's match document (CloudEvent JSON with the OCSF view).
    ///   - context: Scratch space for the pattern machine.
    /// - Returns: The rules and groups, in rule order.
    public func matches(for document: JSONValue, context: MatchContext) -> [Match] {
        guard !rules.isEmpty else {
            return []
        }
        machine.match(document, context: context)
        var matches: [Match] = []
        for index in context.matchedRules.map(Int.init) {
            var group: [String] = []
            for path in sources[index].groupBy {
                guard let value = path.evaluate(document).flatMap(Self.groupText) else {
                    break
                }
                group.append(value)
            }
            if group.count == sources[index].groupBy.count {
                matches.append(Match(rule: index, group: group))
            }
        }
        return matches
    }

    /// A group value's text: strings as they are, numbers by their JSON text, booleans as `true`
    /// and `false`; nothing for null, objects and arrays.
    static func groupText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): text
        case .number(let number): number.text
        case .bool(let flag): flag ? "true" : "false"
        case .null, .object, .array: nil
        }
    }
}
