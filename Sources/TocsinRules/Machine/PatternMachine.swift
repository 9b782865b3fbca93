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
        var anchors = [AnchorIndexBuilder](repeating: AnchorIndexBuilder(), count: trie.pathCount)
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
        self.anchors = anchors.map(AnchorIndex.init)
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
        // One exclusive access for the whole match, without copying the state out and back.
        match(event, state: &context.state)
    }

    private func match(_ event: JSONValue, state: inout MatchState) {
        state.begin(paths: trie.pathCount, subRules: subRules.count, rules: rules.count)
        if case .object(let object) = event {
            trie.withTables { tables in
                anchors.withUnsafeBufferPointer { anchors in
                    let walker = Walker(trie: tables, anchors: anchors)
                    walker.visitMembers(object, node: 0, state: &state)
                }
            }
        }
        state.addCandidates(unanchored)
        subRules.withUnsafeBufferPointer { subRules in
            for candidate in state.candidates {
                if PatternMachine.verify(subRules[Int(candidate)], state: &state) {
                    state.addMatch(rule: subRules[Int(candidate)].rule)
                }
            }
        }
        state.sortMatches()
        state.end()
    }

    /// The event walk over borrowed machine storage.
    private struct Walker {
        let trie: PathTrie.Tables
        let anchors: UnsafeBufferPointer<AnchorIndex>

        func visitMembers(_ object: JSONObject, node: Int, state: inout MatchState) {
            object.members.withUnsafeBufferPointer { members in
                for index in members.indices {
                    if let child = trie.child(of: node, key: members[index].name) {
                        visit(members[index].value, node: child, state: &state)
                    }
                }
            }
        }

        func visit(_ value: JSONValue, node: Int, state: inout MatchState) {
            switch value {
            case .object(let object):
                if trie.nodes[node].childCount > 0 {
                    visitMembers(object, node: node, state: &state)
                }
            case .array(let elements):
                state.arrays += 1
                let array = state.arrays
                for index in elements.indices {
                    state.trail.append(MatchState.ArrayStep(array: array, index: Int32(index)))
                    visit(elements[index], node: node, state: &state)
                    state.trail.removeLast()
                }
            default:
                let pathID = trie.nodes[node].pathID
                if pathID >= 0 {
                    state.record(value, pathID: pathID)
                    anchors[Int(pathID)].fire(value, into: &state)
                }
            }
        }
    }

    /// The reference semantics over the recorded leaves (see ``ReferenceMatcher``).
    private static func verify(_ subRule: CompiledSubRule, state: inout MatchState) -> Bool {
        state.choiceLeaves.removeAll(keepingCapacity: true)
        state.choiceStart.removeAll(keepingCapacity: true)
        let satisfiable = subRule.conditions.withUnsafeBufferPointer { conditions in
            collectChoices(conditions, state: &state)
        }
        guard satisfiable else {
            return false
        }
        if state.choiceStart.isEmpty {
            return true
        }
        state.choiceStart.append(Int32(state.choiceLeaves.count))
        state.chosen.removeAll(keepingCapacity: true)
        return assign(state: &state)
    }

    /// For each condition: satisfied outright (absence allowed, or a matching leaf outside arrays),
    /// or a range of matching leaves for ``assign(state:)``; `false` when one has no matching leaf.
    private static func collectChoices(
        _ conditions: UnsafeBufferPointer<CompiledCondition>,
        state: inout MatchState
    ) -> Bool {
        // `conditions[index]` is read in place each time: a local copy would retain its arrays.
        for index in conditions.indices {
            var leaf = state.pathHead[Int(conditions[index].pathID)]
            if leaf < 0 {
                if conditions[index].allowsAbsence {
                    continue
                }
                return false
            }
            let start = state.choiceLeaves.count
            var free = false
            while leaf >= 0 {
                if conditions[index].condition.matches(state.leafValues[Int(leaf)]) {
                    if state.leafTrailCount[Int(leaf)] == 0 {
                        free = true
                        break
                    }
                    state.choiceLeaves.append(leaf)
                }
                leaf = state.leafNext[Int(leaf)]
            }
            if free {
                state.choiceLeaves.removeLast(state.choiceLeaves.count - start)
                continue
            }
            if state.choiceLeaves.count == start {
                return false
            }
            state.choiceStart.append(Int32(start))
        }
        return true
    }

    /// Picks one leaf per remaining condition, pairwise consistent (backtracking).
    private static func assign(state: inout MatchState) -> Bool {
        let level = state.chosen.count
        guard level < state.choiceStart.count - 1 else {
            return true
        }
        let start = Int(state.choiceStart[level])
        let end = Int(state.choiceStart[level + 1])
        for position in start..<end {
            let candidate = state.choiceLeaves[position]
            var fits = true
            for previous in state.chosen where !state.consistent(previous, candidate) {
                fits = false
                break
            }
            if fits {
                state.chosen.append(candidate)
                if assign(state: &state) {
                    return true
                }
                state.chosen.removeLast()
            }
        }
        return false
    }
}
