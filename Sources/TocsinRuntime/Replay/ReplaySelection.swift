// SPDX-License-Identifier: Apache-2.0

public import TocsinRules

/// What a replay runs and reports: which events (a pattern), which rules and targets, and how many
/// examples of each kind the report keeps.
///
/// Every rule in the table runs, so a Sigma correlation still sees the rules it references; the
/// selection decides what the report counts.
public struct ReplaySelection: Sendable {
    /// Only events this pattern matches are replayed; `nil` replays every event.
    public var pattern: EventPattern?
    /// The rules whose matches, alerts and deliveries count (names of routing rules, detection rules
    /// or Sigma rules); `nil` counts every rule.
    public var rules: Set<String>?
    /// The targets whose deliveries count; `nil` counts every target.
    public var targets: Set<String>?
    /// How many examples of matches, alerts and deliveries the report keeps, each.
    public var examples: Int
    /// Whether the replay delivers (`dry_run: false`): the engine then also hands out the
    /// deliveries of the selected rules to the selected targets (``ReplayEngine/takeDeliveries()``).
    public var delivers = false

    /// The default number of examples of each kind.
    public static let defaultExamples = 10
    /// The most examples of each kind a replay may ask for.
    public static let maximumExamples = 1000

    /// A selection; by default every event, rule and target, with ``defaultExamples`` examples.
    public init(
        pattern: EventPattern? = nil,
        rules: Set<String>? = nil,
        targets: Set<String>? = nil,
        examples: Int = ReplaySelection.defaultExamples
    ) {
        self.pattern = pattern
        self.rules = rules
        self.targets = targets
        self.examples = examples
    }

    func includes(rule name: String) -> Bool {
        rules?.contains(name) ?? true
    }

    func includes(target name: String) -> Bool {
        targets?.contains(name) ?? true
    }
}
