// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCompliance
import TocsinConfig
import TocsinCore

/// The compliance policy file: a valid file becomes a policy; every problem is reported with its line.
struct CompliancePolicyFileTests {
    @Test("a valid file")
    func valid() throws {
        let policy = try CompliancePolicyFile.parse(
            text: """
                compliance:
                  - source: "billing*"
                    field: $.data.card
                    categories: [payment_card, iban]
                    action: reject
                  - type: user.*
                    action: mask
                  - field: $.data
                    action: report
                """,
            file: "compliance.yaml"
        )
        #expect(
            policy.rules == [
                ComplianceRule(
                    source: "billing*",
                    field: "$.card",
                    categories: [.paymentCard, .iban],
                    action: .reject
                ),
                ComplianceRule(type: "user.*", action: .mask),
                ComplianceRule(field: "$", action: .report),
            ]
        )
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let text: String
        /// `line: path: message start` of each diagnostic, in order.
        let expected: [String]
        var testDescription: String { name }
    }

    @Test(
        "diagnostics",
        arguments: [
            Case(
                name: "no rules key",
                text: "rules: []\n",
                expected: ["1: $.compliance: is required", "1: $.rules: unknown key"]
            ),
            Case(
                name: "a field outside data, an unknown category and action, an unknown key",
                text: """
                    compliance:
                      - field: $.subject
                        categories: [email, passport]
                        action: encrypt
                        value: x
                    """,
                expected: [
                    "2: $.compliance[0].field: must be a path inside the event data",
                    "3: $.compliance[0].categories: has unknown category \"passport\"",
                    "4: $.compliance[0].action: must be one of",
                    "5: $.compliance[0].value: unknown key",
                ]
            ),
            Case(
                name: "a missing action",
                text: """
                    compliance:
                      - categories: [jwt]
                    """,
                expected: ["2: $.compliance[0].action: is required"]
            ),
        ]
    )
    func diagnostics(testCase: Case) {
        do {
            _ = try CompliancePolicyFile.parse(text: testCase.text, file: "c.yaml")
            Issue.record("the file was accepted")
        } catch {
            let shown = error.diagnostics.map { "\($0.line.map(String.init) ?? "?"): \($0.path): \($0.message)" }
            #expect(shown.count == testCase.expected.count, "\(shown)")
            for (line, expected) in zip(shown, testCase.expected) {
                #expect(line.hasPrefix(expected), "\(line)")
            }
        }
    }
}
