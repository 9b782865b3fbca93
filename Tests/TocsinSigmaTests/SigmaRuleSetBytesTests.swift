// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinSigma

/// `SigmaRuleSet.matches(bytes:context:)`, which parses only what the rules read, against parsing
/// the whole document and matching it.
struct SigmaRuleSetBytesTests {
    @Test(
        "events from the native normalisers: the same answers from bytes",
        arguments: Array(SigmaRuleSetTests.formats.keys.sorted())
    )
    func eventsFromBytes(_ file: String) throws {
        let (rules, _) = try SigmaRuleSetTests.corpusRules()
        let set = SigmaRuleSet(rules: rules, mode: .events(.defaults))
        let context = SigmaMatchContext()
        var decoded = 0
        for line in try SigmaCorpus.text(file).split(separator: "\n") {
            guard
                let entry = SigmaRuleSetTests.normalise(
                    Array(line.utf8),
                    formats: SigmaRuleSetTests.formats[file] ?? []
                )
            else {
                continue
            }
            let document = entry.matchDocument()
            let expected = set.matches(document, context: context)
            #expect(try set.matches(bytes: JSONWriter().bytes(document), context: context) == expected)
            decoded += 1
        }
        #expect(decoded > 0, "the normaliser should accept records of \(file)")
    }

    @Test(
        "raw records: the same answers from bytes, with and without keyword rules",
        arguments: SigmaRuleSetTests.eventFiles
    )
    func recordsFromBytes(_ file: String) throws {
        let (rules, cases) = try SigmaRuleSetTests.corpusRules()
        let fieldRules = zip(rules, cases).filter { $0.1.events != "events/linux.log" }.map(\.0)
        let context = SigmaMatchContext()
        for set in [SigmaRuleSet(rules: rules), SigmaRuleSet(rules: fieldRules)] {
            for record in try SigmaCorpus.records(file) {
                let expected = set.matches(record, context: context)
                #expect(try set.matches(bytes: JSONWriter().bytes(record), context: context) == expected)
            }
        }
    }

    @Test func theProjectionHoldsTheScopeAndTheRuleFieldsUnderData() throws {
        let text = SigmaTestSupport.ruleText(
            "s:\n  eventName: StopLogging\n  userIdentity.type: Root\ncondition: s",
            logsource: "product: aws\n    service: cloudtrail"
        )
        let rule = try #require(SigmaCollection(text: text, file: "r.yml").rules.first)
        let paths = SigmaRuleSet(rules: [rule], mode: .events(.defaults)).projection.paths
        #expect(paths.contains(["data", "eventName"]))
        #expect(paths.contains(["data", "userIdentity", "type"]))
        #expect(paths.contains { !$0.starts(with: ["data"]) }, "the log source's pattern reads the event's attributes")
        #expect(!paths.contains { $0.starts(with: ["data", "requestParameters"]) })
    }

    @Test func anObjectOneRuleReadsWholeIsReadWholeWhenThatRuleIsACandidate() throws {
        let whole = try SigmaTestSupport.rule(
            "s:\n  eventName: PutBucketPolicy\n  requestParameters|contains: 'principal'\ncondition: s"
        )
        let part = try SigmaTestSupport.rule(
            "s:\n  eventName: CreateBucket\n  requestParameters.bucketName: logs\ncondition: s"
        )
        let flattened = try SigmaTestSupport.rule(
            "s:\n  eventName: PutBucketPolicy\n  requestParameters.bucketName: logs\ncondition: s"
        )
        let set = SigmaRuleSet(rules: [whole, part, flattened])
        let context = SigmaMatchContext()
        let cases: [(record: String, expected: [Int])] = [
            // The whole object's rule is a candidate, so the full projection is read: it keeps
            // `requestParameters` whole, and with it the flattened name the third rule reads.
            (#"{"eventName":"PutBucketPolicy","requestParameters.bucketName":"logs","requestParameters":{}}"#, [2]),
            (#"{"eventName":"PutBucketPolicy","requestParameters":{"bucketName":"x","p":{"Principal":"*"}}}"#, [0]),
            (#"{"eventName":"CreateBucket","requestParameters":{"bucketName":"logs","p":{"Principal":"*"}}}"#, [1]),
            (#"{"eventName":"PutBucketPolicy","requestParameters":{"bucketName":"logs"}}"#, [2]),
            (#"{"eventName":"CreateBucket","requestParameters.bucketName":"logs"}"#, [1]),
        ]
        for (record, expected) in cases {
            #expect(set.matches(try JSONParser().parse(record), context: context) == expected)
            #expect(try set.matches(bytes: Array(record.utf8), context: context) == expected)
        }
    }

    @Test func aKeywordSearchStillSeesFieldsNoRuleNames() throws {
        let text = SigmaTestSupport.ruleText(
            "s:\n  eventName: StopLogging\nk:\n  - 'needle'\ncondition: s and k",
            logsource: "product: aws\n    service: cloudtrail"
        )
        let rule = try #require(SigmaCollection(text: text, file: "r.yml").rules.first)
        let context = SigmaMatchContext()
        let events = SigmaRuleSet(rules: [rule], mode: .events(.defaults))
        let records = SigmaRuleSet(rules: [rule])
        for word in ["needle", "thread"] {
            let data = #"{"eventName":"StopLogging","other":{"deep":["a \#(word) here"]}}"#
            let event = #"{"source":"/aws/cloudtrail/1/r","data":\#(data)}"#
            let expected = word == "needle" ? [0] : []
            #expect(try events.matches(bytes: Array(event.utf8), context: context) == expected)
            #expect(try records.matches(bytes: Array(data.utf8), context: context) == expected)
        }
    }

    @Test(
        "enrichment fields from bytes",
        arguments: [
            (#"{"eventName":"ConsoleLogin"}"#, SigmaEnrichmentTests.found, true),
            (#"{"eventName":"ConsoleLogin","enrichment":\#(SigmaEnrichmentTests.found)}"#, nil, false),
            (
                #"{"eventName":"ConsoleLogin","enrichment":{"identity":{"risk":"low"}}}"#, SigmaEnrichmentTests.found,
                true
            ),
        ]
    )
    func enrichmentFromBytes(_ data: String, _ enrichment: String?, _ matches: Bool) throws {
        let rule = try #require(SigmaCollection(text: SigmaEnrichmentTests.rule, file: "tor.yml").rules.first)
        let set = SigmaRuleSet(rules: [rule], mode: .events(.defaults))
        let bytes = JSONWriter().bytes(try SigmaEnrichmentTests.event(data: data, enrichment: enrichment))
        #expect(try set.matches(bytes: bytes, context: SigmaMatchContext()) == (matches ? [0] : []))
    }

    @Test func malformedJSONInAFieldNoRuleNamesIsStillAnError() throws {
        let rule = try SigmaTestSupport.rule("s:\n  eventName: StopLogging\ncondition: s")
        let set = SigmaRuleSet(rules: [rule])
        let context = SigmaMatchContext()
        #expect(
            try set.matches(bytes: Array(#"{"eventName":"StopLogging","x":{"y":[1]}}"#.utf8), context: context) == [0]
        )
        #expect(throws: JSONParseError.self) {
            try set.matches(bytes: Array(#"{"eventName":"StopLogging","x":{"y":[1,]}}"#.utf8), context: context)
        }
    }
}
