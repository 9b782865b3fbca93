// SPDX-License-Identifier: Apache-2.0

extension DetectionRule {
    /// The largest count a condition may name: per-group memory grows with it (16 bytes per counted event).
    public static let maximumConditionCount = 10_000
    /// The longest window, lateness or suppression period: 400 days in milliseconds.
    public static let maximumSpan: Int64 = 400 * 86_400_000

    /// Every problem with the rule, each with a message that says how to fix it; empty when valid.
    public var problems: [DetectionError] {
        var problems: [DetectionError] = []
        func add(_ code: DetectionError.Code, _ message: String) {
            problems.append(DetectionError(rule: id, code: code, message: message))
        }
        if id.isEmpty {
            add(.limit, "the rule id is empty; give every detection rule an id")
        }
        if allowedLateness < 0 || allowedLateness > Self.maximumSpan {
            add(.window, "allowed lateness must be between 0 and 400 days (milliseconds)")
        }
        if let suppression, suppression < 0 || suppression > Self.maximumSpan {
            add(.window, "suppression must be between 0 and 400 days (milliseconds); 0 turns it off")
        }
        if maximumGroups < 1 || maximumGroups > 100_000_000 {
            add(.limit, "maximumGroups must be between 1 and 100,000,000")
        }
        for (code, message) in kindProblems {
            add(code, message)
        }
        return problems
    }

    private var kindProblems: [(DetectionError.Code, String)] {
        var problems: [(DetectionError.Code, String)] = []
        if let window, window <= 0 || window > Self.maximumSpan {
            problems.append((.window, "the window must be between 1 millisecond and 400 days"))
        }
        switch kind {
        case .eventCount(_, let condition):
            problems += Self.conditionProblems(condition, arrivalOnly: false, kind: "eventCount")
        case .valueCount(_, let condition):
            problems += Self.conditionProblems(condition, arrivalOnly: true, kind: "valueCount")
        case .temporal(_, let rules, let condition):
            if rules.count < 2 {
                problems.append((.limit, "a temporal rule needs at least 2 referenced rules"))
            }
            if let condition {
                problems += Self.conditionProblems(condition, arrivalOnly: true, kind: "temporal")
                if condition.pivot > Set(rules).count {
                    problems.append((.condition, "the condition needs more distinct rules than the rule lists"))
                }
            }
        case .temporalOrdered(_, let rules):
            if rules.count < 2 || rules.count > 64 {
                problems.append((.limit, "a temporal ordered rule needs between 2 and 64 referenced rules"))
            }
        case .firstSeen(let learning, let values, _):
            if learning < 0 || learning > Self.maximumSpan {
                problems.append((.window, "the learning period must be between 0 and 400 days (milliseconds)"))
            }
            if values < 1 || values > Self.maximumConditionCount {
                problems.append((.limit, "maximumValuesPerGroup must be between 1 and 10,000"))
            }
        case .absence:
            break
        case .impossibleTravel(let speed, let distance):
            if !(speed > 0 && speed < 1_000_000) {
                problems.append((.limit, "the speed must be above 0 and below 1,000,000 km/h"))
            }
            if !(distance >= 0 && distance < 20_100) {
                problems.append((.limit, "the minimum distance must be between 0 and 20,100 km"))
            }
        }
        return problems
    }

    private static func conditionProblems(
        _ condition: CountCondition,
        arrivalOnly: Bool,
        kind: String
    ) -> [(DetectionError.Code, String)] {
        if let problem = condition.problem {
            return [(.condition, problem)]
        }
        if arrivalOnly && !condition.isDecidedOnArrival {
            return [(.condition, "\(kind) supports gt and gte; lt, lte, eq and ranges are for eventCount")]
        }
        if condition.pivot > maximumConditionCount {
            return [(.condition, "the count must be at most 10,000 (per-group memory grows with it)")]
        }
        return []
    }
}
