// SPDX-License-Identifier: Apache-2.0

public import TocsinCore
public import TocsinDetect
public import TocsinResponse
import TocsinRules
public import TocsinSigma

/// The detections in force, compiled: Sigma rules in one pre-filtered rule set, and the stateful
/// ones (pattern rules with a `threshold`, `first_seen`, `absence` or `impossible_travel`, and Sigma
/// correlations, chained ones included) as detection rules for ``TocsinDetect/DetectionEngine``s.
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
        /// For value-count correlations, the counted field's value; for first-seen, the value learned.
        public var value: String?
        /// For impossible travel, where the event happened.
        public var location: GeoPoint?

        /// Creates a match.
        public init(
            rule: Int,
            group: [String],
            referencedRule: Int = 0,
            value: String? = nil,
            location: GeoPoint? = nil
        ) {
            self.rule = rule
            self.group = group
            self.referencedRule = referencedRule
            self.value = value
            self.location = location
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
    let patternMachine: PatternMachine
    let patternDetections: [PatternDetection]
    let sigma: SigmaFeeds

    /// Builds the table from the rules in force.
    ///
    /// - Parameters:
    ///   - rules: Pattern rules; enabled ones that declare a detection become detections.
    ///   - sigma: Sigma rules and correlations, with their mapping and settings.
    ///   - sigmaMode: What documents are: Tocsin events (nil, the default: rules apply by the log-source
    ///     mapping of `sigma` and read `data`), or raw records (every rule applies to the whole document;
    ///     `tocsin sigma test`).
    public init(
        rules: [RuleDefinition],
        sigma: SigmaDefinitions = SigmaDefinitions(),
        sigmaMode: SigmaRuleSet.Mode? = nil
    ) {
        let compiled = rules.filter(\.enabled).sorted { $0.name < $1.name }.compactMap { rule in
            PatternDetection(rule).map { (rule, $0) }
        }
        let detections = compiled.map(\.1)
        patternDetections = detections
        patternMachine = PatternMachine(
            rules: compiled.map { PatternMachine.Rule(name: $0.0.name, pattern: $0.0.pattern) }
        )
        let mode = sigmaMode ?? .events(sigma.logSourceMapping)
        sigmaRules = SigmaRuleSet(rules: sigma.rules, mode: mode)
        if case .records = mode {
            readsData = false
        } else {
            readsData = true
        }
        sigmaSources = sigma.rules.map { rule in
            var source = Self.source(of: rule)
            source.staged = sigma.isStaged(source.name) || rule.metadata.name.map(sigma.isStaged) == true
            return source
        }
        let feeds = SigmaFeeds(sigma, firstRule: detections.count)
        self.sigma = feeds
        self.rules = detections.map(\.rule) + feeds.rules
        self.sources = detections.map(\.source) + feeds.sources
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

    /// What one event does: the pattern detections it matches whose group-by paths (and value or
    /// location) all have a value in it (an event without one is not counted), the correlations its
    /// Sigma matches feed, and the Sigma rules that alert on it.
    ///
    /// - Parameters:
    ///   - document: The event's match document (CloudEvent JSON with the OCSF view).
    ///   - context: Scratch space, one per task.
    /// - Returns: The evaluation.
    public func evaluate(_ document: JSONValue, context: DetectionContext) -> Evaluation {
        var evaluation = Evaluation()
        if !patternDetections.isEmpty {
            patternMachine.match(document, context: context.patterns)
            for index in context.patterns.matchedRules.map(Int.init) {
                if let match = patternDetections[index].match(document, rule: index) {
                    evaluation.matches.append(match)
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

    /// The matches an alert of engine rule `index` makes in the correlations it feeds (chaining),
    /// and whether the alert is raised itself (it feeds no correlation, or one with `generate: true`).
    func chained(from index: Int, group: [String]) -> (matches: [Match], isRaised: Bool) {
        let correlation = index - patternDetections.count
        guard sigma.chains.indices.contains(correlation) else {
            return ([], true)
        }
        return (
            sigma.matches(ofCorrelation: correlation, group: group),
            sigma.correlationAlertsDirectly[correlation]
        )
    }

    /// For each engine rule, the first rule of the correlation chain it belongs to (children and
    /// parents linked through `rules:`), or `nil` for a rule that feeds no correlation and is fed by
    /// none.
    var chainFamilies: [Int?] {
        var family = Array(rules.indices)
        func root(_ index: Int) -> Int {
            var index = index
            while family[index] != index {
                index = family[index]
            }
            return index
        }
        var chained = Set<Int>()
        for index in rules.indices {
            let correlation = index - patternDetections.count
            guard sigma.chains.indices.contains(correlation) else {
                continue
            }
            for parent in sigma.chains[correlation].map(\.rule) where rules.indices.contains(parent) {
                let (child, other) = (root(index), root(parent))
                family[max(child, other)] = min(child, other)
                chained.formUnion([index, parent])
            }
        }
        return rules.indices.map { chained.contains($0) ? root($0) : nil }
    }

    /// How far back in event time a restart must re-read the log to rebuild every rule's state
    /// (window, suppression and lateness, summed along correlation chains); nil when a rule's state
    /// cannot be rebuilt by replay (first-seen, closing windows).
    public var replayHorizon: Int64? {
        var horizons: [Int64?] = rules.map { DetectionEngine.replayHorizon(for: [$0]) }
        // Children come before their parents, so each parent adds the reach of its inputs.
        for index in rules.indices {
            let correlation = index - patternDetections.count
            guard sigma.chains.indices.contains(correlation) else {
                continue
            }
            for parent in sigma.chains[correlation].map(\.rule) where horizons.indices.contains(parent) {
                if let child = horizons[index], let own = DetectionEngine.replayHorizon(for: [rules[parent]]),
                    let current = horizons[parent]
                {
                    horizons[parent] = max(current, own + child)
                } else {
                    horizons[parent] = nil
                }
            }
        }
        var horizon: Int64 = 0
        for value in horizons {
            guard let value else {
                return nil
            }
            horizon = max(horizon, value)
        }
        return horizon
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
