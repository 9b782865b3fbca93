// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinDetect

@Suite("Chaining")
struct ChainingTests {
    /// A brute force (5 failures of one address in 60 s) followed by a success from that address within
    /// 5 minutes: the child's alert feeds the parent, grouped by the parent's group-by.
    @Test("a correlation's alert is an input of another")
    func bruteForceThenSuccess() throws {
        var engine = try DetectionEngine(rules: [
            DetectionRule.threshold(id: "failures", count: 5, withinSeconds: 60),
            DetectionRule(
                id: "failures-then-success",
                kind: .temporalOrdered(window: 300_000, rules: ["failures", "login-succeeded"])
            ),
        ])
        let child = try #require(engine.handle(for: "failures"))
        let parent = try #require(engine.handle(for: "failures-then-success"))
        #expect(engine.handle(for: "unknown") == nil)
        var parentAlerts: [Alert] = []
        for second in 0..<6 {
            let outcome = engine.observe(
                Observation(
                    rule: child,
                    sequence: Int64(second + 1),
                    eventTime: Int64(second) * 5000,
                    group: ["203.0.113.9"]
                )
            )
            for alert in outcome.alerts {
                let chained = Observation(chaining: alert, into: parent, referencedRule: 0, group: alert.group)
                #expect(chained.eventTime == alert.time && chained.sequence == 5)
                parentAlerts += engine.observe(chained).alerts
            }
        }
        #expect(parentAlerts.isEmpty)
        let success = Observation(
            rule: parent,
            referencedRule: 1,
            sequence: 40,
            eventTime: 200_000,
            group: ["203.0.113.9"]
        )
        parentAlerts += engine.observe(success).alerts
        #expect(parentAlerts.map(\.evidence) == [[5, 40]])
        #expect(parentAlerts.first?.firstTime == 20_000)
        #expect(parentAlerts.first?.rule == "failures-then-success")
    }
}
