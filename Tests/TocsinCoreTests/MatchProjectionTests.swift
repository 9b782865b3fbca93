// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore

@Suite("Match projections")
struct MatchProjectionTests {
    @Test(
        "a projection reaches a top-level member when one of its paths starts there or keeps everything",
        arguments: [
            ([["source"], ["data", "eventName"]], "enrichment", false),
            ([["enrichment", "threat_intel", "list"]], "enrichment", true),
            ([["enrichment"]], "enrichment", true),
            ([["data", "enrichment"]], "enrichment", false),
            ([[]], "enrichment", true),
            ([], "enrichment", false),
            ([["ocsf", "class_uid"]], "ocsf", true),
        ]
    )
    func reaches(paths: [[String]], member: String, expected: Bool) {
        #expect(MatchProjection(paths: paths).reaches(member) == expected)
    }
}
