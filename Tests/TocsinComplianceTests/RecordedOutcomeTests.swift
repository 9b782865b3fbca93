// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCompliance
import TocsinCore

@Suite("Recorded compliance outcomes")
struct RecordedOutcomeTests {
    @Test(
        "the recorded form is action, category and event path, and reads back",
        arguments: [
            (
                ComplianceAction.report, ComplianceCategory.ipAddress, "$.sourceIPAddress",
                "report ip_address $.data.sourceIPAddress"
            ),
            (.hash, .email, "$.user['first name']", "hash email $.data.user['first name']"),
            (.drop, .githubToken, "$.items[2]", "drop github_token $.data.items[2]"),
        ]
    )
    func roundTrip(action: ComplianceAction, category: ComplianceCategory, dataPath: String, recorded: String) {
        let outcome = RecordedComplianceOutcome(
            ComplianceOutcome(finding: ComplianceFinding(category: category, path: dataPath), action: action)
        )
        #expect(outcome.recordedForm == recorded)
        #expect(RecordedComplianceOutcome(recordedForm: recorded) == outcome)
    }

    @Test(
        "strings that are not outcomes are refused",
        arguments: [
            "", "report", "report email", "shout email $.data.x", "report mail $.data.x", "report email data.x",
        ]
    )
    func refused(text: String) {
        #expect(RecordedComplianceOutcome(recordedForm: text) == nil)
    }

    @Test("an enrichment's outcomes are read in both forms, and anything else is skipped")
    func bothForms() throws {
        let enrichment = try JSONParser().parse(
            Array(
                #"{"geo":{},"compliance":["mask phone $.data.phone",{"category":"email","path":"$.data.a","action":"hash"},"#
                    .utf8
            ) + Array(#"{"category":"email"},7,"nonsense"]}"#.utf8)
        )
        #expect(
            RecordedComplianceOutcome.outcomes(inEnrichment: enrichment) == [
                .init(action: .mask, category: .phone, path: "$.data.phone"),
                .init(action: .hash, category: .email, path: "$.data.a"),
            ]
        )
        #expect(RecordedComplianceOutcome.outcomes(inEnrichment: .object(JSONObject([]))).isEmpty)
    }
}
