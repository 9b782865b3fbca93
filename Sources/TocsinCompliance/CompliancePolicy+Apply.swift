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
