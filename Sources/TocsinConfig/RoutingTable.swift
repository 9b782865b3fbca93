// SPDX-License-Identifier: Apache-2.0

public import TocsinCore
public import TocsinResponse
public import TocsinRules

/// The rules and targets in force, with the enabled rules compiled into one pattern machine.
///
/// Immutable: a change builds a new table, which replaces the old one atomically.
public struct RoutingTable: Sendable {
    /// One delivery to create for a matched event.
    public struct Route: Sendable, Hashable {
        /// The rule that matched.
        public var rule: String
        /// The target to deliver to.
        public var target: String
        /// What to send instead of the whole event, if anything.
        public var input: InputTransform?
        /// Whether the rule or the target is in dry-run mode.
        public var dryRun: Bool
    }

    /// Every rule by name (disabled ones included).
    public let rules: [String: RuleDefinition]
    /// Every target by name.
    public let targets: [String: TargetDefinition]
    /// The enabled threshold rules, compiled for the detection engine.
    public let detections: DetectionTable
    /// What ``routes(for:context:)`` reads of an event: the field paths of the enabled rules'
    /// patterns and `data.staged` (of alerts); a document with only these parts routes the same.
    public let projection: MatchProjection
    private let enabledRules: [RuleDefinition]
    private let machine: PatternMachine

    /// Builds a table; rules that name a missing target are diagnosed and the table is not built.
    ///
    /// - Parameters:
    ///   - rules: The pattern rules.
    ///   - targets: The targets.
    ///   - sigma: The Sigma rules and correlations (detections only: their alerts are routed by
    ///     pattern rules on `tocsin.alert.raised`).
    /// - Throws: ``ConfigError`` listing every rule target that does not exist.
    public init(
        rules: [RuleDefinition],
        targets: [TargetDefinition],
        sigma: SigmaDefinitions = SigmaDefinitions()
    ) throws(ConfigError) {
        let targetsByName = Dictionary(targets.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        let diagnostics = Self.missingTargets(rules: rules, targets: Set(targetsByName.keys))
        guard diagnostics.isEmpty else {
            throw ConfigError(diagnostics)
        }
        self.rules = Dictionary(rules.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        self.targets = targetsByName
        // Detection rules route their alerts (``alertRoutes(rule:)``), not every match.
        let enabled = self.rules.values.filter { $0.enabled && !$0.isDetection }.sorted { $0.name < $1.name }
        self.enabledRules = enabled
        self.detections = DetectionTable(rules: rules, sigma: sigma)
        self.machine = PatternMachine(rules: enabled.map { PatternMachine.Rule(name: $0.name, pattern: $0.pattern) })
        self.projection = MatchProjection(paths: enabled.flatMap(\.pattern.fieldPaths) + [["data", "staged"]])
    }

    /// A diagnostic for every rule target that names none of `targets`.
    public static func missingTargets(rules: [RuleDefinition], targets: Set<String>) -> [ConfigDiagnostic] {
        var diagnostics: [ConfigDiagnostic] = []
        for rule in rules {
            for (index, entry) in rule.targets.enumerated() where !targets.contains(entry.target) {
                diagnostics.append(
                    ConfigDiagnostic(
                        path: "rules.\(rule.name).targets[\(index)].target",
                        message: "no target is named '\(entry.target)'; define it or fix the name"
                    )
                )
            }
        }
        return diagnostics
    }

    /// An empty table.
    public static let empty: RoutingTable = {
        do {
            return try RoutingTable(rules: [], targets: [])
        } catch {
            preconditionFailure("an empty routing table is always valid")
        }
    }()

    /// The deliveries `event` (its structured CloudEvents JSON) calls for, in rule then target order.
    ///
    /// A staged rule's alert (`tocsin.alert.raised` whose `data.staged` is true, a Sigma rule staged in
    /// the rules directory for example) is routed as dry runs: recorded, nothing sent.
    public func routes(for event: JSONValue, context: MatchContext) -> [Route] {
        machine.match(event, context: context)
        var routes: [Route] = []
        for index in context.matchedRules {
            routes += self.routes(of: enabledRules[Int(index)])
        }
        if !routes.isEmpty, event["type"] == .string(Alert.eventType), event["data"]?["staged"] == .bool(true) {
            for index in routes.indices {
                routes[index].dryRun = true
            }
        }
        return routes
    }

    /// The deliveries an alert of the detection rule named `rule` calls for (a pattern rule with
    /// `threshold`, `first_seen`, `absence` or `impossible_travel`): the rule's targets, none when
    /// the rule is unknown, disabled or not a detection.
    ///
    /// A staged rule's deliveries are dry runs (recorded, nothing sent).
    public func alertRoutes(rule name: String) -> [Route] {
        guard let rule = rules[name], rule.enabled, rule.isDetection else {
            return []
        }
        return routes(of: rule)
    }

    private func routes(of rule: RuleDefinition) -> [Route] {
        rule.targets.map { entry in
            let dryRun = rule.dryRun || rule.staged || (targets[entry.target]?.dryRun ?? false)
            return Route(rule: rule.name, target: entry.target, input: entry.input, dryRun: dryRun)
        }
    }
}
