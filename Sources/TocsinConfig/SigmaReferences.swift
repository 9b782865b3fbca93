// SPDX-License-Identifier: Apache-2.0

import TocsinSigma

/// What the `rules:` references of Sigma correlations resolve to (a detection rule, or another
/// correlation: chaining), the order that puts every child correlation before its parents, and the
/// reference cycles that make chaining impossible.
struct SigmaReferences {
    /// What a reference names.
    enum Target: Sendable, Hashable {
        /// A detection rule, by index.
        case rule(Int)
        /// A correlation, by index.
        case correlation(Int)
    }

    /// A reference cycle found, with the correlations on it in reference order (the first repeated last).
    struct Cycle: Sendable, Hashable {
        /// The correlation the problem is reported on.
        var correlation: Int
        /// The references from it back to itself, by name.
        var path: [String]
    }

    private let targets: [String: Target]
    /// The correlations outside any cycle, every child before its parents (file order otherwise).
    let correlationOrder: [Int]
    /// The correlations in a cycle or referencing one, each with the path that shows it.
    let cycles: [Cycle]

    /// Resolves the references of `definitions`: detection rules by id, then name, win over
    /// correlations of the same id or name.
    init(_ definitions: SigmaDefinitions) {
        var targets: [String: Target] = [:]
        for (index, rule) in definitions.rules.enumerated() {
            for reference in [rule.metadata.id, rule.metadata.name].compactMap({ $0 }) where targets[reference] == nil {
                targets[reference] = .rule(index)
            }
        }
        for (index, correlation) in definitions.correlations.enumerated() {
            for reference in [correlation.id, correlation.name].compactMap({ $0 }) where targets[reference] == nil {
                targets[reference] = .correlation(index)
            }
        }
        self.targets = targets
        var walk = Walk(correlations: definitions.correlations, targets: targets)
        for index in definitions.correlations.indices {
            walk.visit(index)
        }
        correlationOrder = walk.order
        cycles = walk.cycles.sorted { $0.correlation < $1.correlation }
    }

    /// What `reference` names, if anything.
    func target(of reference: String) -> Target? {
        targets[reference]
    }

    /// A depth-first walk of the correlation references.
    private struct Walk {
        enum State {
            case unvisited, visiting, done, cyclic
        }

        let correlations: [SigmaCorrelation]
        let targets: [String: Target]
        var states: [State]
        var stack: [Int] = []
        var order: [Int] = []
        var cycles: [Cycle] = []

        init(correlations: [SigmaCorrelation], targets: [String: Target]) {
            self.correlations = correlations
            self.targets = targets
            self.states = Array(repeating: .unvisited, count: correlations.count)
        }

        mutating func visit(_ index: Int) {
            guard case .unvisited = states[index] else {
                return
            }
            states[index] = .visiting
            stack.append(index)
            var isCyclic = false
            for reference in correlations[index].rules {
                guard case .correlation(let child)? = targets[reference] else {
                    continue
                }
                visit(child)
                switch states[child] {
                case .visiting:
                    isCyclic = true
                    let from = stack.lastIndex(of: child) ?? 0
                    let names = (stack[from...] + [child]).map { correlations[$0].reference }
                    for member in stack[from...] where !cycles.contains(where: { $0.correlation == member }) {
                        cycles.append(Cycle(correlation: member, path: names))
                    }
                case .cyclic:
                    isCyclic = true
                    if !cycles.contains(where: { $0.correlation == index }) {
                        cycles.append(Cycle(correlation: index, path: [correlations[index].reference, reference]))
                    }
                case .done, .unvisited:
                    break
                }
            }
            stack.removeLast()
            states[index] = isCyclic ? .cyclic : .done
            if !isCyclic {
                order.append(index)
            }
        }
    }
}
