// SPDX-License-Identifier: Apache-2.0

/// Chooses, for each sub-rule, the condition it will be found by.
///
/// A condition can anchor when every element of its value list has an index (everything except
/// `anything-but` and `exists: false`). Among those, the planner takes the one whose keys are
/// shared by the fewest conditions across all rules, weighted by how selective the key kind is, so
/// a thousand rules that all test `eventName` by exact value each wake up only for their own name.
struct AnchorPlanner {
    private var counts: [PathKey: Int] = [:]

    struct PathKey: Hashable {
        var pathID: Int32
        var key: AnchorKey
    }

    /// Counts every key each condition could anchor on; call for all conditions before ``plan(_:)``.
    mutating func count(_ condition: Condition, pathID: Int32) {
        for matcher in condition.matchers {
            for key in AnchorPlanner.candidateKeys(matcher) {
                counts[PathKey(pathID: pathID, key: key), default: 0] += 1
            }
        }
    }

    /// The anchor keys of the best condition, or `nil` when no condition can anchor.
    func plan(_ conditions: [(condition: Condition, pathID: Int32)]) -> (pathID: Int32, keys: [AnchorKey])? {
        var best: (cost: Int, pathID: Int32, keys: [AnchorKey])?
        for (condition, pathID) in conditions {
            var cost = 0
            var keys: [AnchorKey] = []
            for matcher in condition.matchers {
                guard let key = chooseKey(matcher, pathID: pathID) else {
                    keys = []
                    break
                }
                cost += key.weight * counts[PathKey(pathID: pathID, key: key), default: 1]
                keys.append(key)
            }
            if !keys.isEmpty, best.map({ cost < $0.cost }) ?? true {
                best = (cost, pathID, keys)
            }
        }
        return best.map { ($0.pathID, $0.keys) }
    }

    private func chooseKey(_ matcher: ValueMatcher, pathID: Int32) -> AnchorKey? {
        let keys = AnchorPlanner.candidateKeys(matcher)
        return keys.min { lhs, rhs in
            let left = counts[PathKey(pathID: pathID, key: lhs), default: 1] * lhs.weight
            let right = counts[PathKey(pathID: pathID, key: rhs), default: 1] * rhs.weight
            return left < right
        }
    }

    /// The keys a matcher could be indexed under (one of them is chosen).
    ///
    /// Empty when the matcher cannot anchor.
    static func candidateKeys(_ matcher: ValueMatcher) -> [AnchorKey] {
        switch matcher {
        case .exactString(let text): return [.string(text)]
        case .exactNumber(let literal): return [.number(literal)]
        case .exactBool(let value): return [.bool(value)]
        case .exactNull: return [.null]
        case .ipRange(let range): return [.address(range)]
        case .prefix(let text): return [.prefix(Array(text.utf8))]
        case .suffix(let text): return [.suffix(Array(text.utf8))]
        case .equalsIgnoreCase(let folded): return [.foldedExact(Array(folded.utf8))]
        case .prefixIgnoreCase(let folded): return [.foldedPrefix(Array(folded.utf8))]
        case .suffixIgnoreCase(let folded): return [.foldedSuffix(Array(folded.utf8))]
        case .wildcard(let wildcard): return wildcardKeys(wildcard)
        case .numeric(let range): return [.range(range)]
        case .exists(true): return [.anyLeaf]
        case .exists(false), .anythingBut: return []
        }
    }

    private static func wildcardKeys(_ wildcard: Wildcard) -> [AnchorKey] {
        let parts = wildcard.parts
        if parts.count == 1 {
            return [.string(String(decoding: parts[0], as: UTF8.self))]
        }
        var keys: [AnchorKey] = []
        for (index, part) in parts.enumerated() where !part.isEmpty {
            if index == 0 {
                keys.append(.prefix(part))
            } else if index == parts.count - 1 {
                keys.append(.suffix(part))
            } else {
                keys.append(.substring(part))
            }
        }
        return keys.isEmpty ? [.anyString] : keys
    }
}
