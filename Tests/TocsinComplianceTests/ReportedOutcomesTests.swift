// SPDX-License-Identifier: Apache-2.0

import Crypto
import Testing
import TocsinCompliance
import TocsinCore

/// `CompliancePolicy.reportedOutcomes(of:source:type:)`, the ingest shortcut that skips parsing
/// the data when the policy changes nothing: its answer must equal what `apply` gives on the
/// parsed data, or be `nil` whenever `apply` would change or reject something.
@Suite("Compliance policies: reported outcomes without parsing")
struct ReportedOutcomesTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let rules: [ComplianceRule]
        /// Whether `apply` changes or rejects the document, so the shortcut must answer `nil`.
        let changes: Bool
        var testDescription: String { name }
    }

    /// Nested members and arrays, a name that needs brackets, an escaped value and an escaped
    /// member name that spells `secret` (the 40-character key counts only under such a name).
    static let document = #"""
        {"user": {"email": "alice@example.com", "ip": "203.0.113.7"},
         "hosts": ["198.51.100.1", "nothing here", {"odd.name": "bob@example.org"}],
         "note": "key AKIAIOSFODNN7EXAMPLE\u0020here",
         "aws_\u0073ecret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
         "count": 7}
        """#

    static let cases: [Case] = [
        Case(name: "no rules: everything reported", rules: [], changes: false),
        Case(name: "explicit report", rules: [ComplianceRule(categories: [.email], action: .report)], changes: false),
        Case(
            name: "a mask for another source",
            rules: [ComplianceRule(source: "billing*", action: .mask)],
            changes: false
        ),
        Case(
            name: "a drop for another field",
            rules: [ComplianceRule(field: "$.other", action: .drop)],
            changes: false
        ),
        Case(
            name: "a reject for a category not present",
            rules: [ComplianceRule(categories: [.paymentCard], action: .reject)],
            changes: false
        ),
        Case(name: "mask on a nested field", rules: [ComplianceRule(field: "$.user.ip", action: .mask)], changes: true),
        Case(name: "hash emails", rules: [ComplianceRule(categories: [.email], action: .hash)], changes: true),
        Case(
            name: "drop the secret under the escaped name",
            rules: [ComplianceRule(categories: [.awsSecretAccessKey], action: .drop)],
            changes: true
        ),
        Case(
            name: "reject inside a bracketed member",
            rules: [ComplianceRule(field: "$.hosts[2]['odd.name']", action: .reject)],
            changes: true
        ),
    ]

    @Test("equals apply when nothing changes, nil otherwise", arguments: cases)
    func matchesApply(_ testCase: Case) throws {
        let policy = CompliancePolicy(rules: testCase.rules)
        let bytes = Array(Self.document.utf8)
        let findings = try ComplianceScanner().scan(json: bytes)
        let parsed = try JSONParser().parse(bytes)
        let decision = policy.apply(
            to: parsed,
            source: "app",
            type: "login",
            hashKey: SymmetricKey(data: Array(repeating: UInt8(1), count: 32))
        )
        let shortcut = policy.reportedOutcomes(of: findings, source: "app", type: "login")
        if testCase.changes {
            #expect(shortcut == nil)
            if case .accept(let data, _) = decision {
                #expect(data != parsed)
            }
            return
        }
        guard case .accept(let data, let outcomes) = decision else {
            Issue.record("expected the event to be accepted")
            return
        }
        #expect(data == parsed)
        #expect(shortcut == outcomes)
        #expect(Set(outcomes.map(\.finding.category)) == [.email, .ipAddress, .awsAccessKeyID, .awsSecretAccessKey])
    }
}
