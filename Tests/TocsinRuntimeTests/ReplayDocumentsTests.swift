// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinActions
import TocsinConfig
import TocsinCore
import TocsinRules
import TocsinTesting

@testable import TocsinRuntime

/// The replay builds match documents with only what the rules read when no detection runs; the
/// report is the one whole documents give.
struct ReplayDocumentsTests {
    static let rules = """
        targets:
          pager: {kind: webhook, url: "http://127.0.0.1:9/pager"}
        rules:
          root-user:
            pattern: {data: {userIdentity: {type: [Root]}}}
            targets: [{target: pager}]
          denied-console:
            pattern: {source: [/aws/cloudtrail], data: {eventName: [ConsoleLogin], responseElements: {ConsoleLogin: [Failure]}}}
            targets: [{target: pager}]
          tagged-prod:
            pattern: {data: {resources: {tags: {env: [{prefix: prod}]}}}}
            targets: [{target: pager}]
          no-error:
            pattern: {type: [aws.cloudtrail], data: {errorCode: [{exists: false}], eventName: [DeleteBucket]}}
            targets: [{target: pager}]
        """

    static func table(_ text: String = rules) throws -> RoutingTable {
        let directory = ConfigDirectory(files: [(name: "rules.yaml", text: text)], kinds: ActionRegistry.targetKinds)
        #expect(directory.diagnostics.isEmpty)
        return try RoutingTable(rules: directory.rules, targets: directory.targets, sigma: directory.sigma)
    }

    /// CloudTrail-like records: nested objects, arrays of objects, dotted member names, members no
    /// rule names.
    static let data = [
        #"{"eventName":"ConsoleLogin","userIdentity":{"type":"Root","arn":"arn:aws:iam::1:root"},"responseElements":{"ConsoleLogin":"Failure"},"requestParameters":{"a":[1,2,{"b":"c"}]}}"#,
        #"{"eventName":"ConsoleLogin","userIdentity":{"type":"IAMUser"},"responseElements":{"ConsoleLogin":"Success"},"awsRegion":"eu-west-1"}"#,
        #"{"eventName":"DeleteBucket","resources":[{"tags":{"env":"staging"}},{"tags":{"env":"production"}}],"extra":"x"}"#,
        #"{"eventName":"DeleteBucket","errorCode":"AccessDenied","userIdentity.type":"Root","awsRegion":"eu-west-1"}"#,
        #"{"eventName":"DeleteBucket","resources":{"tags.env":"prod-eu"},"responseElements":null}"#,
        #"["not","an","object"]"#,
    ]

    static var history: [LoggedEvent] {
        data.enumerated().map { index, text in
            LoggedEvent(
                sequence: Int64(index + 1),
                event: CloudEvent(
                    id: "e\(index)",
                    source: "/aws/cloudtrail",
                    type: "aws.cloudtrail",
                    data: .json(Array(text.utf8))
                ),
                ingestMilliseconds: 1_795_000_000_000 + Int64(index),
                hash: []
            )
        }
    }

    @Test("projected documents give the report whole documents give, and are smaller")
    func sameReport() throws {
        let table = try Self.table()
        var projected = try ReplayEngine(table: table, selection: ReplaySelection())
        var whole = try ReplayEngine(table: table, selection: ReplaySelection())
        var smaller = 0
        for logged in Self.history {
            let document = projected.documents.document(for: logged)
            if JSONWriter().bytes(document).count < JSONWriter().bytes(logged.matchDocument).count {
                smaller += 1
            }
            projected.process(logged, document: document)
            whole.process(logged, document: logged.matchDocument)
        }
        #expect(smaller >= 4)
        #expect(projected.report.rules.values.map(\.matched).reduce(0, +) >= 4)
        #expect(projected.report == whole.report)
        #expect(projected.report.rules.keys.sorted() == ["denied-console", "no-error", "root-user", "tagged-prod"])
    }

    @Test("a replay that runs a detection builds whole documents")
    func detectionsReadWholeDocuments() throws {
        let table = try Self.table(
            Self.rules + """

                  many-deletes:
                    pattern: {data: {eventName: [DeleteBucket]}}
                    threshold: {count: 2, within_seconds: 60, group_by: [$.data.eventName]}
                    targets: [{target: pager}]
                """
        )
        let engine = try ReplayEngine(table: table, selection: ReplaySelection())
        let logged = Self.history[0]
        #expect(engine.documents.document(for: logged) == logged.matchDocument)
    }
}
