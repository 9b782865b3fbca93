// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCompliance
import TocsinCore

@Suite("Compliance report")
struct ReportTests {
    @Test("findings are counted by category and source; ingest actions come from the enrichment, in either form")
    func counts() {
        var report = ComplianceReport()
        report.add(
            source: "/crm",
            type: "contact.added",
            json: Array(#"{"email":"alice@example.com","ip":"203.0.113.9"}"#.utf8),
            enrichment: Array(#"{"compliance":[{"category":"phone","path":"$.data.phone","action":"mask"}]}"#.utf8),
            ingestMilliseconds: 2000
        )
        report.add(
            source: "/crm",
            type: "contact.added",
            json: Array(#"{"note":"nothing","sealed":"tocsin:enc:v1:abc"}"#.utf8),
            enrichment: Array(#"{"compliance":["hash email $.data.note","report phone $.data.phone"]}"#.utf8),
            ingestMilliseconds: 1000
        )
        report.add(source: "/app", type: "ping", json: Array("{bad".utf8), enrichment: nil, ingestMilliseconds: 3000)
        report.add(source: "/app", type: "ping", json: nil, enrichment: nil, ingestMilliseconds: 2500)

        #expect(report.events == 4)
        #expect(report.types == ["contact.added": 2, "ping": 2])
        #expect(report.ingestRange == 1000...3000)
        #expect(report.findings == [.email: 1, .ipAddress: 1])
        #expect(report.sources["/crm"]?.events == 2)
        #expect(report.sources["/crm"]?.eventsWithFindings == 1)
        #expect(report.sources["/app"]?.findings.isEmpty == true)
        #expect(report.unscannable == 1)
        #expect(report.sealedEvents == 1)
        #expect(report.ingestActions == [.mask: [.phone: 1], .hash: [.email: 1], .report: [.phone: 1]])
    }
}
