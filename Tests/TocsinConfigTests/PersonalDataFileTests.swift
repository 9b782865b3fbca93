// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinConfig
import TocsinCore

/// The personal-data file: a valid file becomes a policy; every problem is reported with its line.
struct PersonalDataFileTests {
    @Test("a valid file")
    func valid() throws {
        let policy = try PersonalDataFile.parse(
            text: """
                personal_data:
                  - source: "aws.cloudtrail*"
                    subject: $.data.userIdentity.userName
                    fields:
                      - $.data.userIdentity.arn
                      - $.ocsf.actor.user.name
                  - type: okta.*
                    subject: $.data.actor.alternateId
                """,
            file: "personal.yaml"
        )
        #expect(policy.rules.count == 2)
        #expect(policy.rules[0].source == "aws.cloudtrail*")
        #expect(policy.rules[0].type == nil)
        #expect(
            policy.rules[0].sealedPaths.map(\.description) == [
                "$.data.userIdentity.userName", "$.data.userIdentity.arn", "$.ocsf.actor.user.name",
            ]
        )
        #expect(policy.rules[1].fields.isEmpty)
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
                expected: [
                    "1: $.personal_data: is required", "1: $.rules: unknown key",
                ]
            ),
            Case(
                name: "a path outside the sealable parts, a malformed path, an unknown key",
                text: """
                    personal_data:
                      - subject: $.id
                        fields:
                          - $.data.ok
                          - data.user
                        mask: true
                    """,
                expected: [
                    "2: $.personal_data[0].subject: must start with one of",
                    "5: $.personal_data[0].fields[1]: must be a JSON path",
                    "6: $.personal_data[0].mask: unknown key",
                ]
            ),
            Case(
                name: "a missing subject and a whole part",
                text: """
                    personal_data:
                      - fields: [$.data]
                      - subject: $.subject.name
                    """,
                expected: [
                    "2: $.personal_data[0].subject: is required",
                    "2: $.personal_data[0].fields[0]: names a whole part",
                    "3: $.personal_data[1].subject: $.subject is a string attribute",
                ]
            ),
            Case(
                name: "rules not a list",
                text: "personal_data: {}\n",
                expected: [
                    "1: $.personal_data: must be a list"
                ]
            ),
        ]
    )
    func diagnostics(testCase: Case) {
        do {
            _ = try PersonalDataFile.parse(text: testCase.text, file: "p.yaml")
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
