// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// Reusable scratch memory for ``PatternMachine/match(_:context:)``.
///
/// Keep one per task and pass it to every call: after the first few events its buffers stop
/// growing and matching no longer allocates. Not thread-safe; never share one between tasks.
public final class MatchContext {
    var state = MatchState()

    /// Creates an empty context; it sizes itself on first use.
    public init() {}

    /// The indices (into the machine's rules) of the rules that matched the last event, ascending.
    public var matchedRules: [Int32] {
        state.matchedRules
    }
}

/// The scratch state of one match, passed `inout` through matching (one dynamic exclusivity
/// check per match, none on the hot path).
struct MatchState {
    var matchedRules: [Int32] = []

    var leafValues: [JSONValue] = []
    var leafNext: [Int32] = []
    var leafTrailStart: [Int32] = []
    var leafTrailCount: [Int32] = []
    var pathHead: [Int32] = []
    var touchedPaths: [Int32] = []
    var trail: [ArrayStep] = []
    var trails: [ArrayStep] = []
    var arrays: Int32 = 0
    var candidates: [Int32] = []
    var candidateStamp: [UInt32] = []
    var ruleStamp: [UInt32] = []
    var generation: UInt32 = 0
    var choiceLeaves: [Int32] = []
    var choiceStart: [Int32] = []
    var chosen: [Int32] = []

    /// One step through an array: which array (numbered in visiting order) and which element.
    struct ArrayStep {
        var array: Int32
        var index: Int32
    }

    mutating func begin(paths: Int, subRules: Int, rules: Int) {
        if pathHead.count < paths {
            pathHead = [Int32](repeating: -1, count: paths)
        }
        if candidateStamp.count < subRules {
            candidateStamp = [UInt32](repeating: 0, count: subRules)
        }
        if ruleStamp.count < rules {
            ruleStamp = [UInt32](repeating: 0, count: rules)
        }
        generation &+= 1
        if generation == 0 {
            candidateStamp = [UInt32](repeating: 0, count: candidateStamp.count)
            ruleStamp = [UInt32](repeating: 0, count: ruleStamp.count)
            generation = 1
        }
        matchedRules.removeAll(keepingCapacity: true)
        candidates.removeAll(keepingCapacity: true)
        arrays = 0
    }

    mutating func end() {
        for path in touchedPaths {
            pathHead[Int(path)] = -1
        }
        touchedPaths.removeAll(keepingCapacity: true)
        leafValues.removeAll(keepingCapacity: true)
        leafNext.removeAll(keepingCapacity: true)
        leafTrailStart.removeAll(keepingCapacity: true)
        leafTrailCount.removeAll(keepingCapacity: true)
        trails.removeAll(keepingCapacity: true)
        trail.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    mutating func addCandidates(_ ids: [Int32]) {
        for id in ids where candidateStamp[Int(id)] != generation {
            candidateStamp[Int(id)] = generation
            candidates.append(id)
        }
    }

    mutating func record(_ value: JSONValue, pathID: Int32) {
        let leaf = Int32(leafValues.count)
        leafValues.append(value)
        let head = pathHead[Int(pathID)]
        if head < 0 {
            touchedPaths.append(pathID)
        }
        leafNext.append(head)
        pathHead[Int(pathID)] = leaf
        leafTrailStart.append(Int32(trails.count))
        leafTrailCount.append(Int32(trail.count))
        trails.append(contentsOf: trail)
    }

    mutating func addMatch(rule: Int32) {
        if ruleStamp[Int(rule)] != generation {
            ruleStamp[Int(rule)] = generation
            matchedRules.append(rule)
        }
    }

    mutating func sortMatches() {
        if matchedRules.count > 1 {
            matchedRules.sort()
        }
    }

    /// Whether two recorded leaves agree on every array they share.
    func consistent(_ first: Int32, _ second: Int32) -> Bool {
        let firstStart = Int(leafTrailStart[Int(first)])
        let firstEnd = firstStart + Int(leafTrailCount[Int(first)])
        let secondStart = Int(leafTrailStart[Int(second)])
        let secondEnd = secondStart + Int(leafTrailCount[Int(second)])
        for step in trails[firstStart..<firstEnd] {
            for other in trails[secondStart..<secondEnd] where other.array == step.array && other.index != step.index {
                return false
            }
        }
        return true
    }
}

@available(*, unavailable)
extension MatchContext: Sendable {}
