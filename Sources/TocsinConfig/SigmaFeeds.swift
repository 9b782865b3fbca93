// SPDX-License-Identifier: Apache-2.0

import TocsinCore
import TocsinDetect
import TocsinResponse
import TocsinSigma

/// Sigma correlations as detection rules, which of them each Sigma detection rule feeds, and which
/// correlations each correlation's alerts feed (chaining).
struct SigmaFeeds: Sendable {
    /// One correlation a Sigma rule feeds, with how to read its group from the rule's records.
    struct Feed: Sendable {
        var rule: Int
        var referencedRule: Int
        var group: [SigmaFieldReader]
        var value: SigmaFieldReader?
    }

    /// One correlation a correlation's alerts feed: the parent's group-by (and counted field) read
    /// from the child alert's group values, by position; nil where the child does not group by it.
    struct Chain: Sendable, Hashable {
        var rule: Int
        var referencedRule: Int
        var group: [Int?]
        var value: Int??
    }

    /// The correlations, as engine rules, children before their parents.
    let rules: [DetectionRule]
    /// What their alerts say.
    let sources: [DetectionTable.Source]
    /// Per Sigma rule: whether it raises alerts of its own (it feeds no correlation, or one that
    /// says `generate: true`).
    let alertsDirectly: [Bool]
    /// Per Sigma rule: the correlations it feeds.
    let feeds: [[Feed]]
    /// Per correlation (in ``rules`` order): whether its alerts are raised (it feeds no correlation,
    /// or one that says `generate: true`).
    let correlationAlertsDirectly: [Bool]
    /// Per correlation (in ``rules`` order): the correlations its alerts feed.
    let chains: [[Chain]]

    /// Maps the correlations of `definitions` onto engine rules numbered from `firstRule`.
    ///
    /// Correlations that do not map, and correlations in a reference cycle, are left out
    /// (``detectionKind(of:)`` and ``SigmaDefinitions/chainProblems()`` say why, and the rules
    /// directory refuses them).
    init(_ definitions: SigmaDefinitions, firstRule: Int) {
        let references = SigmaReferences(definitions)
        let order = references.correlationOrder.filter {
            (try? Self.detectionKind(of: definitions.correlations[$0])) != nil
        }
        var engineIndex: [Int: Int] = [:]
        for (position, correlation) in order.enumerated() {
            engineIndex[correlation] = position
        }
        var rules: [DetectionRule] = []
        var sources: [DetectionTable.Source] = []
        var alertsDirectly = Array(repeating: true, count: definitions.rules.count)
        var feeds = Array(repeating: [Feed](), count: definitions.rules.count)
        var correlationAlertsDirectly = Array(repeating: true, count: order.count)
        var chains = Array(repeating: [Chain](), count: order.count)
        for correlationIndex in order {
            let correlation = definitions.correlations[correlationIndex]
            guard let kind = try? Self.detectionKind(of: correlation), let own = engineIndex[correlationIndex] else {
                continue
            }
            let id = correlation.reference
            rules.append(DetectionRule(id: id, kind: kind))
            sources.append(
                DetectionTable.Source(
                    name: id,
                    title: correlation.title,
                    level: correlation.level.flatMap(Alert.Level.init(rawValue:)) ?? .medium,
                    tags: correlation.tags,
                    author: correlation.author,
                    kind: .correlation,
                    groupFields: correlation.groupBy,
                    staged: definitions.isStaged(correlation.reference)
                )
            )
            for (position, reference) in correlation.rules.enumerated() {
                func field(_ name: String) -> String {
                    correlation.aliases[name]?[reference] ?? name
                }
                switch references.target(of: reference) {
                case .rule(let index)?:
                    let logSource = definitions.rules[index].metadata.logSource
                    let reader = { (name: String) in
                        SigmaFieldReader(field: field(name), logSource: logSource, mapping: definitions.fieldMapping)
                    }
                    feeds[index].append(
                        Feed(
                            rule: firstRule + own,
                            referencedRule: position,
                            group: correlation.groupBy.map(reader),
                            value: correlation.condition?.field.map(reader)
                        )
                    )
                    if !correlation.generate {
                        alertsDirectly[index] = false
                    }
                case .correlation(let child)?:
                    guard let childIndex = engineIndex[child] else {
                        continue
                    }
                    let childGroup = definitions.correlations[child].groupBy
                    chains[childIndex].append(
                        Chain(
                            rule: firstRule + own,
                            referencedRule: position,
                            group: correlation.groupBy.map { childGroup.firstIndex(of: field($0)) },
                            value: correlation.condition?.field.map { childGroup.firstIndex(of: field($0)) }
                        )
                    )
                    if !correlation.generate {
                        correlationAlertsDirectly[childIndex] = false
                    }
                case nil:
                    continue
                }
            }
        }
        self.rules = rules
        self.sources = sources
        self.alertsDirectly = alertsDirectly
        self.feeds = feeds
        self.correlationAlertsDirectly = correlationAlertsDirectly
        self.chains = chains
    }

    /// The matches one record of Sigma rule `index` makes: one per correlation it feeds whose
    /// group-by fields all have a value in the record.
    func matches(ofSigmaRule index: Int, record: JSONValue) -> [DetectionTable.Match] {
        feeds[index].compactMap { feed in
            let group = feed.group.compactMap { $0.text(in: record) }
            guard group.count == feed.group.count else {
                return nil
            }
            let value = feed.value.flatMap { $0.text(in: record) }
            if feed.value != nil && value == nil {
                return nil
            }
            return DetectionTable.Match(
                rule: feed.rule,
                group: group,
                referencedRule: feed.referencedRule,
                value: value
            )
        }
    }

    /// The matches a child correlation's alert (its group values `group`) makes in the correlations
    /// it feeds: one per parent whose group-by fields the child's group all holds.
    func matches(ofCorrelation index: Int, group: [String]) -> [DetectionTable.Match] {
        chains[index].compactMap { chain in
            let values = chain.group.compactMap { position in
                position.flatMap { group.indices.contains($0) ? group[$0] : nil }
            }
            guard values.count == chain.group.count else {
                return nil
            }
            var match = DetectionTable.Match(rule: chain.rule, group: values, referencedRule: chain.referencedRule)
            if let value = chain.value {
                guard let position = value, group.indices.contains(position) else {
                    return nil
                }
                match.value = group[position]
            }
            return match
        }
    }

    /// The engine kind of a correlation.
    ///
    /// - Throws: ``ConfigError`` saying why the correlation cannot run.
    static func detectionKind(of correlation: SigmaCorrelation) throws(ConfigError) -> DetectionRule.Kind {
        let window = correlation.timespanMilliseconds
        func problem(_ message: String) -> ConfigError {
            ConfigError([ConfigDiagnostic(path: "$.correlation", message: "\(correlation.title): \(message)")])
        }
        let condition: CountCondition?
        do {
            condition = try correlation.condition.map(countCondition)
        } catch {
            throw problem(error.message)
        }
        switch (correlation.kind, condition) {
        case (.eventCount, let condition?):
            return .eventCount(window: window, condition: condition)
        case (.valueCount, let condition?):
            guard correlation.condition?.field != nil else {
                throw problem("a value_count condition needs a 'field'")
            }
            return .valueCount(window: window, condition: condition)
        case (.temporal, let condition):
            return .temporal(window: window, rules: correlation.rules, condition: condition)
        case (.temporalOrdered, _):
            return .temporalOrdered(window: window, rules: correlation.rules)
        case (.eventCount, nil), (.valueCount, nil):
            throw problem("this correlation type needs a 'condition'")
        }
    }

    /// Why a condition cannot run.
    struct ConditionProblem: Error {
        var message: String
    }

    private static func countCondition(
        _ condition: SigmaCorrelation.Condition
    ) throws(ConditionProblem) -> CountCondition {
        let pairs = condition.comparisons.map { ($0.op, $0.value) }
        if pairs.count == 1 {
            switch pairs[0] {
            case (.gt, let value): return .gt(value)
            case (.gte, let value): return .gte(value)
            case (.lt, let value): return .lt(value)
            case (.lte, let value): return .lte(value)
            case (.eq, let value): return .eq(value)
            case (.neq, _):
                throw ConditionProblem(message: "'neq' conditions are not supported; use a range or two correlations")
            }
        }
        var low: Int?
        var high: Int?
        for (op, value) in pairs {
            switch op {
            case .gt: low = value + 1
            case .gte: low = value
            case .lt: high = value - 1
            case .lte: high = value
            case .eq, .neq: break
            }
        }
        guard pairs.count == 2, let low, let high, low <= high else {
            throw ConditionProblem(
                message: "a condition holds one comparison, or two that make a range such as {gte: 5, lte: 10}"
            )
        }
        return .range(low, high)
    }
}
