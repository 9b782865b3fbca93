// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore

@testable import TocsinConsole

struct ViewModelTests {
    static func object(_ members: [(String, JSONValue)]) -> JSONValue {
        .object(JSONObject(members.map { .init(name: $0.0, value: $0.1) }))
    }

    struct IncidentCase: Sendable, CustomTestStringConvertible {
        let status: String
        let mayAct: Bool
        let acknowledge: Bool
        let change: Bool
        var testDescription: String { "\(status), may act: \(mayAct)" }
    }

    @Test(
        "incident actions follow the status and the caller's permission",
        arguments: [
            IncidentCase(status: "open", mayAct: true, acknowledge: true, change: true),
            IncidentCase(status: "acknowledged", mayAct: true, acknowledge: false, change: true),
            IncidentCase(status: "closed", mayAct: true, acknowledge: false, change: false),
            IncidentCase(status: "open", mayAct: false, acknowledge: false, change: false),
        ]
    )
    func incidentActions(_ check: IncidentCase) {
        let row = IncidentRow(
            api: Self.object([("id", .number(JSONNumber(1))), ("status", .string(check.status))]),
            mayAct: check.mayAct
        )
        #expect(row.canAcknowledge == check.acknowledge)
        #expect(row.canChange == check.change)
    }

    @Test(
        "a rule's state reads enabled, staged or disabled",
        arguments: [
            ([], "enabled"),
            ([("staged", JSONValue.bool(true))], "staged"),
            ([("enabled", JSONValue.bool(false))], "disabled"),
            ([("enabled", JSONValue.bool(false)), ("staged", JSONValue.bool(true))], "disabled"),
        ] as [([(String, JSONValue)], String)]
    )
    func ruleState(_ members: [(String, JSONValue)], _ expected: String) {
        #expect(RuleRow(name: "r", definition: Self.object(members), matches: 3).state == expected)
    }

    @Test("a delivery row names the failure's kind and message")
    func deliveryFailure() {
        let failure = Self.object([("kind", .string("http")), ("message", .string("status 500"))])
        let row = DeliveryRow(api: Self.object([("id", .number(JSONNumber(5))), ("error", failure)]))
        #expect(row.id == "5")
        #expect(row.error == "http: status 500")
    }

    @Test("the chart scales counts to the box, peak at the top")
    func chart() {
        let chart = RateChart(title: "t", counts: [0, 60, 120], bucketSeconds: 60, width: 100, height: 50)
        #expect(chart.points == "0,50 50,25 100,0")
        #expect(chart.peak == 120)
        #expect(chart.peakPerSecond == "2.0")
        #expect(chart.total == 180)
        #expect(chart.bucketText == "1 min")
        let flat = RateChart(title: "t", counts: [0, 0], bucketSeconds: 60, width: 100, height: 50)
        #expect(flat.points == "0,50 100,50")
    }

    @Test("the navigation marks the current page")
    func navigation() {
        let chrome = PageChrome(section: .targets, identity: "a", csrf: "t")
        #expect(chrome.links.filter(\.isCurrent).map(\.href) == ["/ui/targets"])
        #expect(chrome.links.count == PageChrome.Section.allCases.count)
    }

    @Test("documents are indented for reading")
    func pretty() {
        let value = Self.object([("a", .array([.number(JSONNumber(1)), .null])), ("b", .object(JSONObject()))])
        #expect(value.prettyText == "{\n  \"a\": [\n    1,\n    null\n  ],\n  \"b\": {}\n}")
    }
}
