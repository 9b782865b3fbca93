// SPDX-License-Identifier: Apache-2.0

import Crypto
import Testing
import TocsinCompliance
import TocsinCore

@Suite("Compliance policies")
struct PolicyTests {
    private let key = SymmetricKey(data: Array(repeating: UInt8(7), count: 32))
    private let event: JSONValue = .object(
        JSONObject([
            JSONObject.Member(name: "user", value: .string("alice@example.com")),
            JSONObject.Member(name: "ip", value: .string("203.0.113.7")),
            JSONObject.Member(name: "ok", value: .string("nothing here")),
        ])
    )

    private func apply(_ rules: [ComplianceRule], source: String = "app", type: String = "login") -> ComplianceDecision
    {
        CompliancePolicy(rules: rules).apply(to: event, source: source, type: type, hashKey: key)
    }

    private func member(_ decision: ComplianceDecision, _ name: String) -> JSONValue? {
        guard case .accept(let data, _) = decision else {
            return nil
        }
        return data[name]
    }

    @Test("report keeps the value and records the finding")
    func report() {
        let decision = apply([ComplianceRule(categories: [.email], action: .report)])
        #expect(member(decision, "user") == .string("alice@example.com"))
        guard case .accept(_, let outcomes) = decision else {
            Issue.record("expected the event to be accepted")
            return
        }
        #expect(outcomes.map(\.finding.path) == ["$.user", "$.ip"])
        #expect(outcomes.allSatisfy { $0.action == .report })
    }

    @Test("mask replaces the value with its category")
    func mask() {
        let decision = apply([ComplianceRule(categories: [.email], action: .mask)])
        #expect(member(decision, "user") == .string("[masked:email]"))
        #expect(member(decision, "ip") == .string("203.0.113.7"))
    }

    @Test("hash replaces the value with a keyed HMAC that depends on the key")
    func hash() {
        let decision = apply([ComplianceRule(field: "$.user", action: .hash)])
        let expected = HMAC<SHA256>.authenticationCode(for: Array("alice@example.com".utf8), using: key)
            .map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        #expect(member(decision, "user") == .string("hmac-sha256:" + expected))
        let other = CompliancePolicy(rules: [ComplianceRule(field: "$.user", action: .hash)])
            .apply(to: event, source: "app", type: "login", hashKey: SymmetricKey(size: .bits256))
        #expect(member(other, "user") != member(decision, "user"))
    }

    @Test("drop removes the member")
    func drop() {
        let decision = apply([ComplianceRule(categories: [.ipAddress], action: .drop)])
        #expect(member(decision, "ip") == nil)
        #expect(member(decision, "user") == .string("alice@example.com"))
        #expect(member(decision, "ok") == .string("nothing here"))
    }

    @Test("reject refuses the event naming the path and category")
    func reject() {
        let decision = apply([ComplianceRule(categories: [.ipAddress], action: .reject)])
        #expect(decision == .reject(finding: ComplianceFinding(category: .ipAddress, path: "$.ip")))
    }

    @Test("rules apply only to their source, type and field")
    func scoping() {
        let rules = [
            ComplianceRule(source: "aws.*", action: .drop),
            ComplianceRule(type: "signup", action: .drop),
            ComplianceRule(field: "$.other", action: .drop),
        ]
        #expect(member(apply(rules), "user") == .string("alice@example.com"))
        #expect(member(apply(rules, source: "aws.signin"), "user") == nil)
        #expect(member(apply(rules, type: "signup"), "ip") == nil)
    }

    @Test("the first covering rule decides, and the strongest action wins within a value")
    func precedence() {
        let first = apply([
            ComplianceRule(categories: [.email], action: .mask),
            ComplianceRule(action: .reject),
        ])
        #expect(first == .reject(finding: ComplianceFinding(category: .ipAddress, path: "$.ip")))
        let combined = CompliancePolicy(rules: [
            ComplianceRule(categories: [.email], action: .mask),
            ComplianceRule(categories: [.ipAddress], action: .drop),
        ]).apply(
            to: .object(JSONObject([JSONObject.Member(name: "m", value: .string("alice@example.com 203.0.113.7"))])),
            source: "s",
            type: "t",
            hashKey: key
        )
        guard case .accept(let data, _) = combined else {
            Issue.record("expected the event to be accepted")
            return
        }
        #expect(data["m"] == nil)
    }

    @Test("a redaction policy removes the named categories only")
    func redaction() {
        let decision = CompliancePolicy.redaction(removing: [.email])
            .apply(to: event, source: "app", type: "login", hashKey: key)
        #expect(member(decision, "user") == nil)
        #expect(member(decision, "ip") == .string("203.0.113.7"))
    }
}
