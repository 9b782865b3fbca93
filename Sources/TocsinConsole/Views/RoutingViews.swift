// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// One rule with its state and how many events it matched.
public struct RuleRow: Sendable, Hashable {
    /// The rule's name.
    public var name: String
    /// `enabled`, `staged` or `disabled`.
    public var state: String
    /// The targets it sends to, comma-separated.
    public var targets: String
    /// How many events it matched, or empty when not known.
    public var matches: String

    /// Reads a row from a rule definition as `GET /v1/rules` lists it.
    ///
    /// - Parameters:
    ///   - name: The rule's name.
    ///   - definition: Its definition.
    ///   - matches: Its match count, when known.
    public init(name: String, definition: JSONValue, matches: Int64?) {
        self.name = name
        let enabled = definition["enabled"] != .bool(false)
        let staged = definition["staged"] == .bool(true)
        self.state = !enabled ? "disabled" : staged ? "staged" : "enabled"
        self.targets = definition["targets"]?.items.map(\.displayText).joined(separator: ", ") ?? ""
        self.matches = matches.map(String.init) ?? ""
    }
}

/// The rules page.
public struct RulesPage: Sendable {
    /// The page chrome.
    public var chrome: PageChrome
    /// The rules by name.
    public var rules: [RuleRow]
}

/// One target with its kind and breaker state.
public struct TargetRow: Sendable, Hashable {
    /// The target's name.
    public var name: String
    /// Its kind (`webhook`, `exec` …).
    public var kind: String
    /// The breaker's state (`closed`, `open`, `half-open`), or empty when not known.
    public var breaker: String
    /// Whether the breaker is open (for styling).
    public var isOpen: Bool

    /// Reads a row from a target definition as `GET /v1/targets` lists it.
    public init(name: String, definition: JSONValue, breaker: String?) {
        self.name = name
        self.kind = definition["kind"]?.displayText ?? definition["type"]?.displayText ?? ""
        self.breaker = breaker ?? ""
        self.isOpen = breaker == "open"
    }
}

/// The targets and dead-letter queue page.
public struct TargetsPage: Sendable {
    /// The page chrome.
    public var chrome: PageChrome
    /// The targets by name.
    public var targets: [TargetRow]
    /// The dead letters, as the API lists them.
    public var deadLetters: [DeliveryRow]
    /// Whether the redrive buttons show (the caller holds ``Permission/redriveDeliveries``).
    public var canRedrive: Bool
    /// Whether the "redrive all" button shows (the caller may redrive and the queue is not empty).
    public var showsRedriveAll: Bool

    /// Creates the page.
    public init(chrome: PageChrome, targets: [TargetRow], deadLetters: [DeliveryRow], canRedrive: Bool) {
        self.chrome = chrome
        self.targets = targets
        self.deadLetters = deadLetters
        self.canRedrive = canRedrive
        self.showsRedriveAll = canRedrive && !deadLetters.isEmpty
    }
}
