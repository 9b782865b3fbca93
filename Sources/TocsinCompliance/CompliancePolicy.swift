// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// What to do with a value in which the detectors found sensitive data.
public enum ComplianceAction: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Keep the value and record the finding.
    case report
    /// Replace the value with `[masked:<category>]`.
    case mask
    /// Replace the value with a keyed hash (`hmac-sha256:<hex>`), so equal values stay comparable.
    case hash
    /// Remove the member (an array element becomes `null`, so other elements keep their positions).
    case drop
    /// Refuse the whole event.
    case reject

    /// The stronger of two actions wins when several apply to one value.
    public static func < (lhs: ComplianceAction, rhs: ComplianceAction) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}

/// One policy rule: which events, fields and categories it covers, and the action.
public struct ComplianceRule: Sendable, Hashable {
    /// Event sources covered: an exact source, a prefix ending in `*`, or `nil` for every source.
    public var source: String?
    /// Event types covered: an exact type, a prefix ending in `*`, or `nil` for every type.
    public var type: String?
    /// The JSON path of a field, covered with everything inside it; `nil` covers the whole event.
    public var field: String?
    /// The categories covered.
    public var categories: ComplianceCategorySet
    /// What to do with a covered finding.
    public var action: ComplianceAction

    /// A rule; every filter left `nil` matches everything.
    public init(
        source: String? = nil,
        type: String? = nil,
        field: String? = nil,
        categories: ComplianceCategorySet = .all,
        action: ComplianceAction
    ) {
        self.source = source
        self.type = type
        self.field = field
        self.categories = categories
        self.action = action
    }

    /// Whether the rule covers events from `source` of `type`.
    func covers(source: String, type: String) -> Bool {
        Self.matches(self.source, source) && Self.matches(self.type, type)
    }

    /// Whether the rule covers the value at `path`.
    func covers(path: String) -> Bool {
        guard let field else {
            return true
        }
        guard path.hasPrefix(field) else {
            return false
        }
        let rest = path.utf8.dropFirst(field.utf8.count)
        return rest.isEmpty || rest.first == UInt8(ascii: ".") || rest.first == UInt8(ascii: "[")
    }

    private static func matches(_ pattern: String?, _ value: String) -> Bool {
        guard let pattern else {
            return true
        }
        if pattern.hasSuffix("*") {
            return value.hasPrefix(pattern.dropLast())
        }
        return pattern == value
    }
}

/// An ordered list of rules applied to events at ingest, or to events on their way to a target.
///
/// For each finding the first rule that covers its event, field and category decides the action;
/// a finding no rule covers is reported. When one value has findings with different actions,
/// the strongest applies (report < mask < hash < drop < reject).
public struct CompliancePolicy: Sendable, Hashable {
    /// The rules, in the order they are tried.
    public var rules: [ComplianceRule]

    /// A policy of `rules`.
    public init(rules: [ComplianceRule]) {
        self.rules = rules
    }

    /// The policy of a target that receives events with `categories` removed.
    public static func redaction(removing categories: ComplianceCategorySet) -> CompliancePolicy {
        CompliancePolicy(rules: [ComplianceRule(categories: categories, action: .drop)])
    }

    /// The action for a finding of `category` at `path`, among the rules that cover the event.
    func action(
        for category: ComplianceCategory,
        at path: String,
        rules applicable: [ComplianceRule]
    ) -> ComplianceAction {
        for rule in applicable where rule.categories.contains(category) && rule.covers(path: path) {
            return rule.action
        }
        return .report
    }

    /// The rules that cover events from `source` of `type`.
    func rules(source: String, type: String) -> [ComplianceRule] {
        rules.filter { $0.covers(source: source, type: type) }
    }
}

/// The outcome of applying a ``CompliancePolicy`` to one event.
public enum ComplianceDecision: Sendable, Hashable {
    /// The event is accepted as `data` (changed when a rule masked, hashed or dropped a value), with
    /// every finding and the action taken for it.
    case accept(data: JSONValue, findings: [ComplianceOutcome])
    /// The event is refused because of `finding`; the problem names its path and category only.
    case reject(finding: ComplianceFinding)
}

/// One finding and the action the policy took for it.
public struct ComplianceOutcome: Sendable, Hashable {
    /// The finding.
    public var finding: ComplianceFinding
    /// The action taken for the value that holds it.
    public var action: ComplianceAction

    /// An outcome of `action` for `finding`.
    public init(finding: ComplianceFinding, action: ComplianceAction) {
        self.finding = finding
        self.action = action
    }
}
