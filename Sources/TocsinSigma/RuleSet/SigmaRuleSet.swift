// SPDX-License-Identifier: Apache-2.0

public import TocsinCore
import TocsinRules

/// Many compiled Sigma rules behind one ``PatternMachine`` of pre-filters.
///
/// Each rule contributes event patterns that every event it matches must match: its log-source
/// pattern (for Tocsin events) combined with values its condition requires (``SigmaPrefilter``),
/// such as the `eventName`s it names. One machine walk per event yields the candidate rules; only
/// those are evaluated in full, so a rule that names an `eventName` costs nothing for other events.
/// Rules with no usable pre-filter are evaluated for every event. Immutable; share it freely.
public struct SigmaRuleSet: Sendable {
    /// What the documents given to ``matches(_:context:)`` are.
    public enum Mode: Sendable {
        /// Raw records: the log source's own JSON (or a syslog line as a JSON string); every rule applies.
        case records
        /// Tocsin events (CloudEvents JSON): a rule applies to the events its log source maps to,
        /// and reads its fields under `data`, except `enrichment.…`, which reads what enrichment
        /// found at ingest (see ``eventRecord(_:)``).
        case events(SigmaLogSourceMapping)
    }

    /// The rules, in the order given; matches are indices into this array.
    public let rules: [SigmaRule]
    /// Rules whose log source the mapping does not select (events mode): they never match.
    public let unmappedRules: [Int]
    /// Rules evaluated for every document because no pre-filter could be derived.
    public let alwaysEvaluatedRules: [Int]
    private let isEventMode: Bool
    private let machine: PatternMachine
    private let owners: [Int32]
    private let scopes: [EventPattern?]

    /// Compiles the pre-filters of `rules` into one machine.
    public init(rules: [SigmaRule], mode: Mode = .records) {
        var machineRules: [PatternMachine.Rule] = []
        var owners: [Int32] = []
        var unmapped: [Int] = []
        var always: [Int] = []
        var scopes: [EventPattern?] = []
        let mapping: SigmaLogSourceMapping?
        if case .events(let map) = mode {
            mapping = map
            isEventMode = true
        } else {
            mapping = nil
            isEventMode = false
        }
        for (index, rule) in rules.enumerated() {
            var scope: JSONObject?
            if let mapping {
                guard case .object(let object)? = mapping.pattern(for: rule.metadata.logSource) else {
                    unmapped.append(index)
                    scopes.append(nil)
                    continue
                }
                scope = object
            }
            scopes.append(scope.flatMap { try? EventPattern(json: .object($0)) })
            let patterns = Self.patterns(rule, scope: scope)
            if patterns.isEmpty {
                always.append(index)
            }
            for pattern in patterns {
                machineRules.append(PatternMachine.Rule(name: String(index), pattern: pattern))
                owners.append(Int32(index))
            }
        }
        self.rules = rules
        self.unmappedRules = unmapped
        self.alwaysEvaluatedRules = always
        self.machine = PatternMachine(rules: machineRules)
        self.owners = owners
        self.scopes = scopes
    }

    /// The pre-filter patterns of one rule: scope plus each required alternative, or the scope alone.
    private static func patterns(_ rule: SigmaRule, scope: JSONObject?) -> [EventPattern] {
        if let alternatives = SigmaPrefilter.alternatives(rule.expression) {
            var patterns: [EventPattern] = []
            for alternative in alternatives {
                let field = JSONValue.object(
                    JSONObject([.init(name: alternative.field, value: .array(alternative.values))])
                )
                var object = scope ?? JSONObject()
                if scope != nil {
                    object.members.append(.init(name: "data", value: field))
                } else if case .object(let fieldObject) = field {
                    object = fieldObject
                }
                guard let pattern = try? EventPattern(json: .object(object)) else {
                    return scope.flatMap { try? EventPattern(json: .object($0)) }.map { [$0] } ?? []
                }
                patterns.append(pattern)
            }
            return patterns
        }
        return scope.flatMap { try? EventPattern(json: .object($0)) }.map { [$0] } ?? []
    }

    /// What a rule reads of a Tocsin event: its `data` object with the event's top-level
    /// `enrichment` as the member `enrichment`, so `enrichment.threat_intel.list` names what
    /// threat intelligence found.
    ///
    /// A member `enrichment` the producer put in `data` is replaced (or removed, when the event has
    /// no enrichment): only Tocsin's own enrichment can satisfy an `enrichment.…` field. Data that
    /// is not an object is read as it is.
    ///
    /// - Parameter document: The event's match document (CloudEvent JSON with `ocsf`, `enrichment`).
    /// - Returns: The record the rule's fields are resolved against.
    public static func eventRecord(_ document: JSONValue) -> JSONValue {
        guard case .object(var data)? = document["data"] else {
            return document["data"] ?? .null
        }
        let enrichment = document["enrichment"]
        guard enrichment != nil || data["enrichment"] != nil else {
            return .object(data)
        }
        data["enrichment"] = enrichment
        return .object(data)
    }

    /// The indices of the rules that match `document`, ascending.
    ///
    /// Reuse one ``SigmaMatchContext`` per task: matching then does not allocate in steady state.
    public func matches(_ document: JSONValue, context: SigmaMatchContext) -> [Int] {
        machine.match(document, context: context.patterns)
        var candidates = context.candidates
        candidates.removeAll(keepingCapacity: true)
        var previous: Int32 = -1
        for machineRule in context.patterns.matchedRules {
            let owner = owners[Int(machineRule)]
            if owner != previous {
                candidates.append(Int(owner))
                previous = owner
            }
        }
        if !alwaysEvaluatedRules.isEmpty {
            candidates.append(contentsOf: alwaysEvaluatedRules)
            candidates.sort()
        }
        let record = isEventMode ? Self.eventRecord(document) : document
        var result: [Int] = []
        var last = -1
        for candidate in candidates where candidate != last {
            last = candidate
            if context.evaluator.evaluate(rules[candidate].expression, record: record) {
                result.append(candidate)
            }
        }
        context.candidates = candidates
        return result
    }

    /// The indices of the rules that match `document` (allocates a context; see ``matches(_:context:)``).
    public func matches(_ document: JSONValue) -> [Int] {
        matches(document, context: SigmaMatchContext())
    }

    /// The same answer as ``matches(_:context:)``, computed without pre-filters.
    ///
    /// Every rule's scope and detection are evaluated in turn: the reference for differential tests; slow.
    public func matchesEvaluatingEveryRule(_ document: JSONValue) -> [Int] {
        var evaluator = SigmaEvaluator()
        let record = isEventMode ? Self.eventRecord(document) : document
        return rules.indices.filter { index in
            if isEventMode {
                guard let scope = scopes[index], scope.matches(document) else {
                    return false
                }
            }
            return evaluator.evaluate(rules[index].expression, record: record)
        }
    }
}

/// Reusable scratch memory for ``SigmaRuleSet/matches(_:context:)``; one per task, never shared.
public final class SigmaMatchContext {
    let patterns = MatchContext()
    var evaluator = SigmaEvaluator()
    var candidates: [Int] = []

    /// Creates an empty context.
    public init() {}
}

@available(*, unavailable)
extension SigmaMatchContext: Sendable {}
