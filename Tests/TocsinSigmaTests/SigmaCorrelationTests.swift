// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinSigma

/// Correlation documents parsed into plain values, beside the rules they reference.
struct SigmaCorrelationTests {
    static let file = """
        title: Many failed logins
        id: 0e95725d-7320-415d-80f7-004da920fc11
        name: many_failed_logins
        author: Tocsin tests
        level: high
        tags:
            - attack.t1110
        correlation:
            type: event_count
            rules:
                - failed_login
            group-by:
                - ip
            timespan: 5m
            condition:
                gte: 10
                lt: 100
            generate: true
        ---
        title: Failed login
        name: failed_login
        logsource:
            product: linux
            service: sshd
        detection:
            k:
                - 'Failed password'
            condition: k
        ---
        title: Distinct users
        correlation:
            type: value_count
            rules: [failed_login]
            group-by: [ip]
            timespan: 1h
            condition:
                field: user
                gt: 3
            aliases:
                ip:
                    failed_login: source.ip
        ---
        title: Sequence
        correlation:
            type: temporal_ordered
            rules: [failed_login, many_failed_logins]
            group-by: [ip]
            timespan: 2d

        """

    @Test func aMultiDocumentFileHoldsRulesAndCorrelations() throws {
        let collection = SigmaCollection(text: Self.file, file: "c.yml")
        #expect(collection.diagnostics.isEmpty, "\(collection.diagnostics)")
        #expect(collection.rules.map(\.metadata.name) == ["failed_login"])
        #expect(collection.correlations.count == 3)
        let count = collection.correlations[0]
        #expect(count.kind == .eventCount)
        #expect(count.id == "0e95725d-7320-415d-80f7-004da920fc11")
        #expect(count.name == "many_failed_logins")
        #expect(count.rules == ["failed_login"])
        #expect(count.groupBy == ["ip"])
        #expect(count.timespanMilliseconds == 300_000)
        #expect(count.condition?.comparisons == [.init(op: .gte, value: 10), .init(op: .lt, value: 100)])
        #expect(count.generate)
        #expect(count.level == "high" && count.tags == ["attack.t1110"] && count.author == "Tocsin tests")
        let values = collection.correlations[1]
        #expect(values.kind == .valueCount)
        #expect(values.condition?.field == "user")
        #expect(values.aliases == ["ip": ["failed_login": "source.ip"]])
        #expect(values.timespanMilliseconds == 3_600_000)
        #expect(!values.generate)
        let ordered = collection.correlations[2]
        #expect(ordered.kind == .temporalOrdered)
        #expect(ordered.condition == nil)
        #expect(ordered.rules == ["failed_login", "many_failed_logins"])
        #expect(ordered.timespanMilliseconds == 172_800_000)
    }

    @Test(arguments: [
        ("type: sum_of_all\nrules: [a]\ntimespan: 5m\ncondition: {gt: 1}", "'type' must be one of"),
        ("type: event_count\nrules: [a]\ntimespan: 5 minutes\ncondition: {gt: 1}", "'timespan'"),
        ("type: event_count\ntimespan: 5m\ncondition: {gt: 1}", "'rules'"),
        ("type: event_count\nrules: [a]\ntimespan: 5m", "needs a 'condition'"),
        ("type: event_count\nrules: [a]\ntimespan: 5m\ncondition: {above: 1}", "unknown condition operator"),
        ("type: value_count\nrules: [a]\ntimespan: 5m\ncondition: {gt: 1}", "needs 'field'"),
    ])
    func malformedCorrelationsAreRejected(_ body: String, _ hint: String) throws {
        let indented = body.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
        let collection = SigmaCollection(text: "title: c\ncorrelation:\n\(indented)\n", file: "c.yml")
        #expect(collection.correlations.isEmpty)
        let diagnostic = try #require(collection.diagnostics.first)
        #expect(diagnostic.code == .correlation)
        #expect(diagnostic.line != nil)
        #expect(collection.diagnostics.contains { $0.message.contains(hint) }, "\(collection.diagnostics)")
    }

    @Test func filterDocumentsAreReportedNotSkipped() {
        let collection = SigmaCollection(text: "title: f\nfilter:\n    rules: [a]\n", file: "f.yml")
        #expect(collection.diagnostics.map(\.code) == [.structure])
    }
}
