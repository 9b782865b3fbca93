// SPDX-License-Identifier: Apache-2.0

public import TocsinCore
public import TocsinDetect
public import TocsinResponse
import TocsinRules
public import TocsinSigma

/// The detections in force, compiled: Sigma rules in one pre-filtered rule set, and the stateful
/// ones (pattern rules with a `threshold`, Sigma correlations) as detection rules for
/// ``TocsinDetect/DetectionEngine``s.
///
/// Immutable: a change builds a new table. Rule `i` of ``rules`` is the engine rule of
/// ``sources`` entry `i`.
public struct DetectionTable: Sendable {
    /// Where an engine rule or a Sigma rule comes from, and what its alerts say.
    public struct Source: Sendable, Hashable {
        /// The rule's id: the pattern rule's name, or the Sigma rule's id (or name).
        public var name: String
        /// A title for people.
        public var title: String
        /// How serious its alerts are.
        public var level: TocsinResponse.Alert.Level
        /// ATT&CK and other tags.
        public var tags: [String] = []
        /// The rule's author (credited in alerts, as the Detection Rule License requires).
        public var author: String?
        /// What kind of detection it is.
        public var kind: TocsinResponse.Alert.Kind
        /// The group-by fields as alerts name them (JSON paths, or Sigma field names).
        public var groupFields: [String] = []
        /// Whether the rule only records its alerts.
        public var staged = false
    }

    /// One rule an event feeds, with what the event brings to it.
    public struct Match: Sendable, Hashable {
        /// The rule's position in ``rules`` and ``sources``.
        public var rule: Int
        /// The group-by values as text, in the rule's order.
        public var group: [String]
        /// For temporal correlations, the position of the matched rule in the correlation's list.
        public var referencedRule = 0
        /// For value-count correlations, the counted field's value.
        public var value: String?

        /// Creates a match.
        public init(rule: Int, group: [String], referencedRule: Int = 0, value: String? = nil) {
            self.rule = rule
            self.group = group
            self.referencedRule = referencedRule
            self.value = value
        }
    }

    /// What one event does: the stateful rules it feeds and the Sigma rules that alert on it.
    public struct Evaluation: Sendable, Hashable {
        /// The stateful rules fed, in rule order.
        public var matches: [Match] = []
        /// The Sigma rules that matched (indices into ``sigmaSources``).
        public var sigmaMatches: [Int] = []
        /// The Sigma rules that matched and alert on their own (not only through a correlation).
        public var sigmaAlerts: [Int] = []
    }

    /// The engine rules, in ``sources`` order.
    public let rules: [DetectionRule]
    /// Where each engine rule comes from.
    public let sources: [Source]
    /// What each Sigma detection rule's alerts say, in ``sigmaRules`` order.
    public let sigmaSources: [Source]
    /// The Sigma rules, pre-filtered, applied to Tocsin events by their log source.
    public let sigmaRules: SigmaRuleSet
    /// Identifies this build of the table (``isSame(as:)``).
    private let build = Build()
    /// Whether Sigma rules read the event's `data` (Tocsin events) or the document itself (raw records).
    private let readsData: Bool
    let thresholdMachine: PatternMachine
    let thresholdPaths: [[JSONPath]]
    let sigma: SigmaFeeds

    /// Builds the table from the rules in force.
    ///
    /// - Parameters:
    ///   - rules: Pattern rules; enabled ones with a threshold become detections.
    ///   - sigma: Sigma rules and correlations.
    ///   - sigmaMode: What documents are: Tocsin events (the default: rules apply by log source and
    ///     read `data`), or raw records (every rule applies to the whole document; `tocsin sigma test`).
    public init(
        rules: [RuleDefinition],
        sigma: SigmaDefinitions = SigmaDefinitions(),
        sigmaMode: SigmaRuleSet.Mode = .events(.defaults)
    ) {
        let thresholds = rules.filter { $0.enabled && $0.threshold != nil }.sorted { $0.name < $1.name }
        var engineRules: [DetectionRule] = []
        var sources: [Source] = []
        var paths: [[JSONPath]] = []
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
                    level: rule.level,
                    kind: .threshold,
                    groupFields: threshold.groupBy.map(\.description),
                    staged: rule.staged
                )
            )
            paths.append(threshold.groupBy)
        }
        thresholdMachine = PatternMachine(
            rules: thresholds.map { PatternMachine.Rule(name: $0.name, pattern: $0.pattern) }
        )
        thresholdPaths = paths
        sigmaRules = SigmaRuleSet(rules: sigma.rules, mode: sigmaMode)
        if case .records = sigmaMode {
            readsData = false
        } else {
            readsData = true
        }
        sigmaSources = sigma.rules.map(Self.source(of:))
        let feeds = SigmaFeeds(sigma, firstRule: engineRules.count)
        self.sigma = feeds
        self.rules = engineRules + feeds.rules
        self.sources = sources + feeds.sources
    }

    /// An empty table.
    public static let empty = DetectionTable(rules: [])

    /// Whether `other` is this very table, not a rebuild (which may hold changed rules).
    public func isSame(as other: DetectionTable) -> Bool {
        build === other.build
    }

    /// Whether the table detects nothing (no stateful rule, no Sigma rule).
    public var isEmpty: Bool {
        rules.isEmpty && sigmaRules.rules.isEmpty
    }

    /// What one event does: the threshold rules it matches whose group-by paths all have a value
    /// in it (an event without one is not counted in any group), the correlations its Sigma matches
    /// feed, and the Sigma rules that alert on it.
    ///
    /// - Parameters:
    ///   - document: The event's match document (CloudEvent JSON with the OCSF view).
    ///   - context: Scratch space, one per task.
    /// - Returns: The evaluation.
    public func evaluate(_ document: JSONValue, context: DetectionContext) -> Evaluation {
        var evaluation = Evaluation()
        if !thresholdPaths.isEmpty {
            thresholdMachine.match(document, context: context.patterns)
            for index in context.patterns.matchedRules.map(Int.init) {
                let group = thresholdPaths[index].compactMap { $0.evaluate(document).flatMap(Self.groupText) }
                if group.count == thresholdPaths[index].count {
                    evaluation.matches.append(Match(rule: index, group: group))
                }
            }
        }
        if !sigmaRules.rules.isEmpty {
            let record = readsData ? (document["data"] ?? .null) : document
            for index in sigmaRules.matches(document, context: context.sigma) {
                evaluation.sigmaMatches.append(index)
                if sigma.alertsDirectly[index] {
                    evaluation.sigmaAlerts.append(index)
                }
                evaluation.matches += sigma.matches(ofSigmaRule: index, record: record)
            }
        }
        return evaluation
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

    /// What a Sigma rule's alerts say: its id (or name, or title), title, level, tags and author.
    public static func source(of rule: SigmaRule) -> Source {
        let metadata = rule.metadata
        return Source(
            name: metadata.id ?? metadata.name ?? metadata.title,
            title: metadata.title,
            level: metadata.level.flatMap(TocsinResponse.Alert.Level.init(rawValue:)) ?? .medium,
            tags: metadata.tags,
            author: metadata.author,
            kind: .sigma
        )
    }
}

/// The identity of one build of a ``DetectionTable``.
private final class Build: Sendable {}

/// Scratch space for ``DetectionTable/evaluate(_:context:)``: one per task, never shared.
public final class DetectionContext {
    let patterns = MatchContext()
    let sigma = SigmaMatchContext()

    /// Creates an empty context.
    public init() {}
}

@available(*, unavailable)
extension DetectionContext: Sendable {}
