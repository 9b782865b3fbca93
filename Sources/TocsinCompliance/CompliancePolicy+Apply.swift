// SPDX-License-Identifier: Apache-2.0

public import Crypto
public import TocsinCore

extension CompliancePolicy {
    /// Applies the policy to an event's data.
    ///
    /// - Parameters:
    ///   - data: The event's data.
    ///   - source: The event's `source`, matched against the rules' source filters.
    ///   - type: The event's `type`, matched against the rules' type filters.
    ///   - hashKey: The key of the `hash` action's HMAC-SHA256 (kept in the data directory, so
    ///     hashes are stable across restarts and cannot be recomputed from a guess without it).
    /// - Returns: The accepted (possibly changed) data with the findings, or the first finding
    ///   whose action is `reject`.
    public func apply(to data: JSONValue, source: String, type: String, hashKey: SymmetricKey) -> ComplianceDecision {
        var application = Application(rules: rules(source: source, type: type), policy: self, hashKey: hashKey)
        var steps: [JSONPath.Step] = []
        let result = application.transform(data, steps: &steps)
        if let rejected = application.rejected {
            return .reject(finding: rejected)
        }
        return .accept(data: result ?? .null, findings: application.outcomes)
    }

    /// The outcomes for the findings of a scan when the policy keeps every value as it is; `nil`
    /// when some value must be masked, hashed or dropped, or the event rejected.
    ///
    /// For `findings` from ``ComplianceScanner/scan(json:)`` of an event's data, a non-`nil` answer
    /// equals the outcomes of ``apply(to:source:type:hashKey:)`` on the parsed data (every one a
    /// `report`, the data unchanged), so an ingest path can skip parsing and rebuilding the data
    /// when nothing would change: machine logs such as CloudTrail hold addresses and access key ids
    /// in nearly every record, and policies usually only report those.
    ///
    /// - Parameters:
    ///   - findings: What the scanner found in the event's data, in document order.
    ///   - source: The event's `source`.
    ///   - type: The event's `type`.
    /// - Returns: One `report` outcome per finding, or `nil` when ``apply(to:source:type:hashKey:)``
    ///   must run.
    public func reportedOutcomes(
        of findings: [ComplianceFinding],
        source: String,
        type: String
    ) -> [ComplianceOutcome]? {
        let applicable = rules(source: source, type: type)
        var outcomes: [ComplianceOutcome] = []
        outcomes.reserveCapacity(findings.count)
        for finding in findings {
            guard action(for: finding.category, at: finding.path, rules: applicable) == .report else {
                return nil
            }
            outcomes.append(ComplianceOutcome(finding: finding, action: .report))
        }
        return outcomes
    }
}

/// One application of a policy to one event.
private struct Application {
    let rules: [ComplianceRule]
    let policy: CompliancePolicy
    let hashKey: SymmetricKey
    var outcomes: [ComplianceOutcome] = []
    var rejected: ComplianceFinding?

    /// The value after the policy, or `nil` when it is dropped.
    mutating func transform(_ value: JSONValue, steps: inout [JSONPath.Step]) -> JSONValue? {
        guard rejected == nil else {
            return value
        }
        switch value {
        case .string(let text):
            return transformString(text, steps: steps)
        case .array(let elements):
            var result: [JSONValue] = []
            result.reserveCapacity(elements.count)
            for (index, element) in elements.enumerated() {
                steps.append(.index(index))
                result.append(transform(element, steps: &steps) ?? .null)
                steps.removeLast()
            }
            return .array(result)
        case .object(let object):
            var members: [JSONObject.Member] = []
            members.reserveCapacity(object.members.count)
            for member in object.members {
                steps.append(.member(member.name))
                if let kept = transform(member.value, steps: &steps) {
                    members.append(JSONObject.Member(name: member.name, value: kept))
                }
                steps.removeLast()
            }
            return .object(JSONObject(members))
        case .null, .bool, .number:
            return value
        }
    }

    private mutating func transformString(_ text: String, steps: [JSONPath.Step]) -> JSONValue? {
        var memberName: String?
        if case .member(let name) = steps.last {
            memberName = name
        }
        let found = ComplianceScanner.categories(inString: text, memberName: memberName)
        guard !found.isEmpty else {
            return .string(text)
        }
        let path = JSONPathText.render(steps)
        var strongest = ComplianceAction.report
        var chosen: ComplianceCategory?
        for category in found {
            let action = policy.action(for: category, at: path, rules: rules)
            if chosen == nil || action > strongest {
                strongest = action
                chosen = category
            }
        }
        let strongestCategory = chosen ?? .email
        for category in found {
            outcomes.append(
                ComplianceOutcome(finding: ComplianceFinding(category: category, path: path), action: strongest)
            )
        }
        switch strongest {
        case .report:
            return .string(text)
        case .mask:
            return .string("[masked:\(strongestCategory.rawValue)]")
        case .hash:
            let code = HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: hashKey)
            return .string("hmac-sha256:" + code.map { Self.hex($0) }.joined())
        case .drop:
            return nil
        case .reject:
            rejected = ComplianceFinding(category: strongestCategory, path: path)
            return .string(text)
        }
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
    }
}
