// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// Many event patterns compiled into one immutable matcher.
///
/// The machine is a trie of every field path the rules name plus, per path, indexes over the
/// values the rules test (hash tables, byte tries, CIDR tables, a substring index, numeric
/// ranges). Walking an event visits only named paths; each leaf probes its path's indexes, which
/// yields *candidate* sub-rules; only candidates are verified against the event, with array
/// consistency. Matching cost therefore follows the event and the number of candidates, not the
/// number of rules. Sub-rules with nothing to index (only `anything-but` or `exists: false`) are
/// verified for every event. See `docs/adr/0002-pattern-machine.md`.
public struct PatternMachine: Sendable {
    /// A rule: a name and its pattern.
    public struct Rule: Sendable {
        /// The name returned when the rule matches.
        public var name: String
        /// The pattern.
        public var pattern: EventPattern

        /// Creates a rule.
        public init(name: String, pattern: EventPattern) {
            self.name = name
            self.pattern = pattern
        }
    }

    struct CompiledCondition: Sendable {
        var pathID: Int32
        var allowsAbsence: Bool
        var condition: Condition
    }

    struct CompiledSubRule: Sendable {
        var rule: Int32
        var conditions: [CompiledCondition]
    }

    /// The rules, in the order given; ``MatchContext/matchedRules`` indexes into this.
    public let rules: [Rule]
    private let trie: PathTrie
    private let anchors: [AnchorIndex]
    private let subRules: [CompiledSubRule]
    private let unanchored: [Int32]

    /// Compiles `rules` into one machine.
    public init(rules: [Rule]) {
        var trie = PathTrie()
        var planner = AnchorPlanner()
        var compiled: [CompiledSubRule] = []
        for (ruleIndex, rule) in rules.enumerated() {
            for subRule in rule.pattern.subRules {
                var conditions: [CompiledCondition] = []
                for condition in subRule.conditions {
                    let pathID = trie.insert(condition.segments)
                    planner.count(condition, pathID: pathID)
                    conditions.append(
                        CompiledCondition(pathID: pathID, allowsAbsence: condition.allowsAbsence, condition: condition)
                    )
                }
                compiled.append(CompiledSubRule(rule: Int32(ruleIndex), conditions: conditions))
            }
        }
        trie.freeze()
        var anchors = [AnchorIndex](repeating: AnchorIndex(), count: trie.pathCount)
        var unanchored: [Int32] = []
        for (index, subRule) in compiled.enumerated() {
            let id = Int32(index)
            guard let plan = planner.plan(subRule.conditions.map { ($0.condition, $0.pathID) }) else {
                unanchored.append(id)
                continue
            }
            for key in plan.keys {
                anchors[Int(plan.pathID)].insert(key, id: id)
            }
        }
        self.rules = rules
        self.trie = trie
        self.anchors = anchors
        self.subRules = compiled
        self.unanchored = unanchored
    }

    /// The number of compiled sub-rules (rules times their `$or` combinations).
    public var subRuleCount: Int {
        subRules.count
    }

    /// The names of the rules that match `event`, in rule order.
    ///
    /// Convenient but allocating; hot paths call ``match(_:context:)`` with a reused context.
    public func matchingRules(_ event: JSONValue) -> [String] {
        let context = MatchContext()
        match(event, context: context)
        return context.matchedRules.map { rules[Int($0)].name }
    }

    /// Matches `event`; the result is in `context.matchedRules` until the next call.
    public func match(_ event: JSONValue, context: MatchContext) {
        context.begin(paths: trie.pathCount, subRules: subRules.count, rules: rules.count)
        if case .object(let object) = event {
            visitMembers(object, node: 0, context: context)
        }
        context.addCandidates(unanchored)
        for candidate in context.candidates {
            let subRule = subRules[Int(candidate)]
            if verify(subRule, context: context) {
                context.addMatch(rule: subRule.rule)
            }
        }
        context.sortMatches()
        context.end()
    }

    private func visitMembers(_ object: JSONObject, node: Int, context: MatchContext) {
        for member in object.members {
            if let child = trie.child(of: node, key: member.name) {
                visit(member.value, node: child, context: context)
            }
        }
    }

    private func visit(_ value: JSONValue, node: Int, context: MatchContext) {
        switch value {
        case .object(let object):
            if !trie.nodes[node].names.isEmpty {
                visitMembers(object, node: node, context: context)
            }
        case .array(let elements):
            context.arrays += 1
            let array = context.arrays
            for (index, element) in elements.enumerated() {
                context.trail.append(MatchContext.ArrayStep(array: array, index: Int32(index)))
                visit(element, node: node, context: context)
                context.trail.removeLast()
            }
        default:
            let pathID = trie.nodes[node].pathID
            if pathID >= 0 {
                context.record(value, pathID: pathID)
                anchors[Int(pathID)].fire(value, into: context)
            }
        }
    }

    /// The reference semantics over the recorded leaves (see ``ReferenceMatcher``).
    private func verify(_ subRule: CompiledSubRule, context: MatchContext) -> Bool {
        context.choiceLeaves.removeAll(keepingCapacity: true)
        context.choiceStart.removeAll(keepingCapacity: true)
        for condition in subRule.conditions {
            var leaf = context.pathHead[Int(condition.pathID)]
            if leaf < 0 {
                if condition.allowsAbsence {
                    continue
                }
                return false
            }
            let start = context.choiceLeaves.count
            var free = false
            while leaf >= 0 {
                if condition.condition.matches(context.leafValues[Int(leaf)]) {
                    if context.leafTrailCount[Int(leaf)] == 0 {
                        free = true
                        break
                    }
                    context.choiceLeaves.append(leaf)
                }
                leaf = context.leafNext[Int(leaf)]
            }
            if free {
                context.choiceLeaves.removeSubrange(start...)
                continue
            }
            if context.choiceLeaves.count == start {
                return false
            }
            context.choiceStart.append(Int32(start))
        }
        if context.choiceStart.isEmpty {
            return true
        }
        context.choiceStart.append(Int32(context.choiceLeaves.count))
        context.chosen.removeAll(keepingCapacity: true)
        return assign(context: context)
    }

    /// Picks one leaf per remaining condition, pairwise consistent (backtracking).
    private func assign(context: MatchContext) -> Bool {
        let level = context.chosen.count
        guard level < context.choiceStart.count - 1 else {
            return true
        }
        let start = Int(context.choiceStart[level])
        let end = Int(context.choiceStart[level + 1])
        for position in start..<end {
            let candidate = context.choiceLeaves[position]
            var fits = true
            for previous in context.chosen where !context.consistent(previous, candidate) {
                fits = false
                break
            }
            if fits {
                context.chosen.append(candidate)
                if assign(context: context) {
                    return true
                }
                context.chosen.removeLast()
            }
        }
        return false
    }
}
