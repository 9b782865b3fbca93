// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// Turns a parsed pattern into validated sub-rules (one per `$or` combination).
///
/// Members are read in source order: a repeated path keeps its last value list, repeated objects
/// merge, and every `$or` group multiplies the sub-rules.
struct PatternCompiler {
    let limits: PatternLimits
    var valueCount = 0

    init(limits: PatternLimits) {
        self.limits = limits
    }

    /// The conditions of one object level and the `$or` groups below it.
    struct Clause {
        var order: [String] = []
        var conditions: [String: Condition] = [:]
        var groups: [[Clause]] = []

        mutating func set(_ condition: Condition) {
            if conditions.updateValue(condition, forKey: condition.path) == nil {
                order.append(condition.path)
            }
        }
    }

    mutating func compile(_ root: JSONValue) throws(PatternError) -> [SubRule] {
        guard case .object(let object) = root else {
            throw PatternError(
                code: .notAnObject,
                path: "$",
                message: "a pattern must be a JSON object such as {\"source\": [\"aws.ec2\"]}, not \(root.typeName)"
            )
        }
        let clause = try readObject(object, prefix: [], path: "$", depth: 1)
        return try expand(clause, path: "$").map { SubRule(conditions: $0) }
    }

    private mutating func readObject(
        _ object: JSONObject,
        prefix: [String],
        path: String,
        depth: Int
    ) throws(PatternError) -> Clause {
        var clause = Clause()
        try read(object, prefix: prefix, path: path, depth: depth, into: &clause)
        return clause
    }

    private mutating func read(
        _ object: JSONObject,
        prefix: [String],
        path: String,
        depth: Int,
        into clause: inout Clause
    ) throws(PatternError) {
        guard !object.members.isEmpty else {
            throw PatternError(
                code: .emptyObject,
                path: path,
                message: "empty objects are not allowed; name at least one field or remove the object"
            )
        }
        guard depth <= limits.maxDepth else {
            throw PatternError(
                code: .limitExceeded,
                path: path,
                message: "the pattern nests deeper than the limit of \(limits.maxDepth)"
            )
        }
        for member in object.members {
            let memberPath = PatternCompiler.jsonPath(path, member.name)
            if member.name == "$or", case .array(let branches) = member.value {
                clause.groups.append(try readOr(branches, prefix: prefix, path: memberPath, depth: depth))
                continue
            }
            let segments = prefix + member.name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            switch member.value {
            case .object(let nested):
                try read(nested, prefix: segments, path: memberPath, depth: depth + 1, into: &clause)
            case .array(let elements):
                guard !elements.isEmpty else {
                    throw PatternError(
                        code: .emptyArray,
                        path: memberPath,
                        message:
                            "empty value lists are not allowed; list at least one value, or use [{\"exists\": false}]"
                    )
                }
                var matchers: [ValueMatcher] = []
                matchers.reserveCapacity(elements.count)
                for (index, element) in elements.enumerated() {
                    matchers.append(try readValue(element, path: "\(memberPath)[\(index)]"))
                }
                clause.set(Condition(segments: segments, matchers: matchers))
            default:
                throw PatternError(
                    code: .invalidFieldValue,
                    path: memberPath,
                    message:
                        "a field must map to a value list such as [\"x\"] or to a nested object, not to a \(member.value.typeName)"
                )
            }
        }
    }

    private mutating func readOr(
        _ branches: [JSONValue],
        prefix: [String],
        path: String,
        depth: Int
    ) throws(PatternError) -> [Clause] {
        guard branches.count >= 2 else {
            throw PatternError(
                code: .invalidOr,
                path: path,
                message: "$or needs an array of at least two non-empty objects, one per alternative"
            )
        }
        var clauses: [Clause] = []
        for (index, branch) in branches.enumerated() {
            let branchPath = "\(path)[\(index)]"
            guard case .object(let object) = branch, !object.members.isEmpty else {
                throw PatternError(
                    code: .invalidOr,
                    path: branchPath,
                    message: "each $or alternative must be a non-empty object such as {\"source\": [\"aws.iam\"]}"
                )
            }
            if let reserved = PatternCompiler.reservedFieldName(in: object) {
                throw PatternError(
                    code: .invalidOr,
                    path: branchPath,
                    message: "'\(reserved)' is an operator name and cannot be a field name inside $or"
                )
            }
            clauses.append(try readObject(object, prefix: prefix, path: branchPath, depth: depth + 1))
        }
        return clauses
    }

    private func expand(_ clause: Clause, path: String) throws(PatternError) -> [[Condition]] {
        var results: [[Condition]] = [clause.order.compactMap { clause.conditions[$0] }]
        for group in clause.groups {
            var alternatives: [[Condition]] = []
            for branch in group {
                alternatives.append(contentsOf: try expand(branch, path: path))
            }
            guard results.count * alternatives.count <= limits.maxCombinations else {
                throw PatternError(
                    code: .limitExceeded,
                    path: path,
                    message:
                        "$or expands into more than \(limits.maxCombinations) combinations; split the pattern into several rules"
                )
            }
            results = results.flatMap { base in alternatives.map { base + $0 } }
        }
        return results
    }

    /// Operator names that `$or` branches may not use as field names.
    static let reservedNames: Set<String> = [
        "exactly", "equals-ignore-case", "prefix", "suffix", "anything-but", "exists", "wildcard", "numeric",
        "cidr", "=", "<", "<=", ">", ">=", "regex", "not-wildcard", "not-equals-ignore-case", "date-after",
        "date-on-or-after", "date-before", "date-on-or-before", "in-date-range", "ip-address-in-range",
        "ip-address-not-in-range",
    ]

    private static func reservedFieldName(in object: JSONObject) -> String? {
        for member in object.members {
            if reservedNames.contains(member.name) {
                return member.name
            }
            switch member.value {
            case .object(let nested):
                if let found = reservedFieldName(in: nested) {
                    return found
                }
            case .array(let elements) where member.name == "$or":
                for case .object(let nested) in elements {
                    if let found = reservedFieldName(in: nested) {
                        return found
                    }
                }
            default:
                continue
            }
        }
        return nil
    }

    /// `path.name`, or `path["name"]` when the name is not a plain identifier; long names are cut.
    static func jsonPath(_ path: String, _ name: String) -> String {
        let shown = name.utf8.count > 64 ? String(name.prefix(60)) + "…" : name
        let plain =
            !shown.isEmpty
            && shown.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "$")
            }
        if plain {
            return "\(path).\(shown)"
        }
        var escaped = ""
        for character in shown {
            if character == "\\" || character == "\"" {
                escaped.append("\\")
            }
            escaped.append(character)
        }
        return "\(path)[\"\(escaped)\"]"
    }
}
