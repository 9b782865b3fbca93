// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// One leaf of an event: its dotted path, value, and the array elements it sits in.
struct EventLeaf {
    /// One step through an array: which array (numbered in visiting order) and which element.
    struct ArrayStep: Equatable {
        var array: Int
        var index: Int
    }

    var path: String
    var value: JSONValue
    var trail: [ArrayStep]

    /// Every leaf of `event` (spec section 1); objects and arrays are never leaves.
    static func flatten(_ event: JSONValue) -> [EventLeaf] {
        guard case .object(let object) = event else {
            return []
        }
        var leaves: [EventLeaf] = []
        var arrays = 0
        func visit(_ value: JSONValue, path: String, trail: [ArrayStep]) {
            switch value {
            case .object(let object):
                for member in object.members {
                    visit(member.value, path: path + "." + member.name, trail: trail)
                }
            case .array(let elements):
                arrays += 1
                let array = arrays
                for (index, element) in elements.enumerated() {
                    visit(element, path: path, trail: trail + [ArrayStep(array: array, index: index)])
                }
            default:
                leaves.append(EventLeaf(path: path, value: value, trail: trail))
            }
        }
        for member in object.members {
            visit(member.value, path: member.name, trail: [])
        }
        return leaves
    }

    /// Whether two leaves may be used together: they agree on every array they share.
    func isConsistent(with other: EventLeaf) -> Bool {
        for step in trail {
            for otherStep in other.trail where otherStep.array == step.array && otherStep.index != step.index {
                return false
            }
        }
        return true
    }
}

/// The reference semantics of one sub-rule, written for clarity rather than speed.
enum ReferenceMatcher {
    static func matches(_ subRule: SubRule, leaves: [EventLeaf]) -> Bool {
        var choices: [[Int]] = []
        for condition in subRule.conditions {
            let atPath = leaves.indices.filter { leaves[$0].path == condition.path }
            if atPath.isEmpty {
                if condition.allowsAbsence {
                    continue
                }
                return false
            }
            let satisfying = atPath.filter { condition.matches(leaves[$0].value) }
            if satisfying.isEmpty {
                return false
            }
            choices.append(satisfying)
        }
        var chosen: [Int] = []
        return assign(choices, leaves: leaves, chosen: &chosen)
    }

    /// Picks one leaf per condition so that all picked leaves are pairwise consistent.
    private static func assign(_ choices: [[Int]], leaves: [EventLeaf], chosen: inout [Int]) -> Bool {
        guard chosen.count < choices.count else {
            return true
        }
        for candidate in choices[chosen.count]
        where chosen.allSatisfy({ leaves[$0].isConsistent(with: leaves[candidate]) }) {
            chosen.append(candidate)
            if assign(choices, leaves: leaves, chosen: &chosen) {
                return true
            }
            chosen.removeLast()
        }
        return false
    }
}
