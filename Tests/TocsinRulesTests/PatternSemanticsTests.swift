// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinRules

/// Semantics the corpus does not cover.
///
/// The event-ruler behaviours we deliberately do not copy (spec section 12) and the edges of IPs,
/// numbers and case folding. Each case runs through the reference matcher and the machine.
struct PatternSemanticsTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let pattern: String
        let event: String
        let match: Bool
        var testDescription: String { "\(pattern) ~ \(event)" }
    }

    static let cases: [Case] = [
        // IPv4 and IPv6 are kept apart.
        Case(pattern: #"{"ip":[{"cidr":"10.0.0.0/8"}]}"#, event: #"{"ip":"a00::1"}"#, match: false),
        Case(pattern: #"{"ip":["10.0.0.1"]}"#, event: #"{"ip":"a00:1::"}"#, match: false),
        Case(pattern: #"{"ip":[{"cidr":"0.0.0.0/0"}]}"#, event: #"{"ip":"2001:db8::1"}"#, match: false),
        Case(pattern: #"{"ip":[{"cidr":"::/0"}]}"#, event: #"{"ip":"10.0.0.1"}"#, match: false),
        Case(pattern: #"{"ip":[{"cidr":"::/0"}]}"#, event: #"{"ip":"::1"}"#, match: true),
        Case(pattern: #"{"ip":["10.0.0.1"]}"#, event: #"{"ip":"::ffff:a00:1"}"#, match: false),
        // IPv4 parts with leading zeros are decimal numbers, as event-ruler reads them.
        Case(pattern: #"{"ip":["10.1.2.3"]}"#, event: #"{"ip":"010.1.2.3"}"#, match: true),
        Case(pattern: #"{"ip":["010.001.002.003"]}"#, event: #"{"ip":"10.1.2.3"}"#, match: true),
        Case(pattern: #"{"ip":[{"cidr":"010.0.0.0/8"}]}"#, event: #"{"ip":"10.9.9.9"}"#, match: true),
        Case(pattern: #"{"ip":[{"cidr":"10.0.0.0/8"}]}"#, event: #"{"ip":"0010.000.000.0001"}"#, match: false),
        Case(pattern: #"{"ip":["2001:db8::1"]}"#, event: #"{"ip":"2001:0DB8:0:0:0:0:0:1"}"#, match: true),
        Case(pattern: #"{"ip":[{"cidr":"10.0.0.77/24"}]}"#, event: #"{"ip":"10.0.0.200"}"#, match: true),
        Case(pattern: #"{"ip":[{"cidr":"10.0.0.0/8"}]}"#, event: #"{"ip":"10.1.2.3:22"}"#, match: false),
        // A prefix ending in a quote does not match across quoting.
        Case(pattern: #"{"a":[{"prefix":"x\""}]}"#, event: #"{"a":"x"}"#, match: false),
        Case(pattern: #"{"a":[{"suffix":"\"x"}]}"#, event: #"{"a":"x"}"#, match: false),
        // exists:false in arrays of objects is global, whatever the key order.
        Case(
            pattern: #"{"e":{"f":["Anna"],"x":[{"exists":false}]}}"#,
            event: #"{"e":[{"f":"Anna"},{"f":"Bob","x":1}]}"#,
            match: false
        ),
        Case(
            pattern: #"{"e":{"f":["Anna"],"a":[{"exists":false}]}}"#,
            event: #"{"e":[{"f":"Anna"},{"f":"Bob","a":1}]}"#,
            match: false
        ),
        // Numbers: value for comparable text, text for the rest.
        Case(pattern: #"{"n":[300]}"#, event: #"{"n":3.0e2}"#, match: true),
        Case(pattern: #"{"n":[9007199254740993]}"#, event: #"{"n":9007199254740992}"#, match: false),
        Case(pattern: #"{"n":[1e400]}"#, event: #"{"n":1e400}"#, match: true),
        Case(pattern: #"{"n":[{"numeric":[">",0]}]}"#, event: #"{"n":1e400}"#, match: false),
        Case(pattern: #"{"n":[{"numeric":["=",0]}]}"#, event: #"{"n":-0.0}"#, match: true),
        Case(pattern: #"{"n":[{"numeric":[">",1e-300]}]}"#, event: #"{"n":1e-310}"#, match: false),
        // Case folding beyond ASCII.
        Case(pattern: #"{"s":[{"equals-ignore-case":"ÉCOLE"}]}"#, event: #"{"s":"école"}"#, match: true),
        Case(pattern: #"{"s":[{"prefix":{"equals-ignore-case":"ZÜR"}}]}"#, event: #"{"s":"zürich"}"#, match: true),
        Case(
            pattern: #"{"s":[{"suffix":{"equals-ignore-case":".EXE"}}]}"#,
            event: #"{"s":"C:\\cmd.exe"}"#,
            match: true
        ),
        // Dotted keys equal nesting both ways.
        Case(pattern: #"{"a.b":["x"]}"#, event: #"{"a":{"b":"x"}}"#, match: true),
        Case(pattern: #"{"a":{"b":["x"]}}"#, event: #"{"a.b":"x"}"#, match: true),
        Case(pattern: #"{"a":{"b":{"c":["x"]}}}"#, event: #"{"a":{"b.c":"x"}}"#, match: true),
        // Wildcards are byte-exact on UTF-8 and escape stars.
        Case(pattern: #"{"s":[{"wildcard":"caf*"}]}"#, event: #"{"s":"café"}"#, match: true),
        Case(pattern: #"{"s":[{"wildcard":"a\\*b"}]}"#, event: #"{"s":"a*b"}"#, match: true),
        Case(pattern: #"{"s":[{"wildcard":"a\\*b"}]}"#, event: #"{"s":"axb"}"#, match: false),
        Case(pattern: #"{"s":[{"wildcard":"*ab*ab*"}]}"#, event: #"{"s":"xabab"}"#, match: true),
        Case(pattern: #"{"s":[{"wildcard":"ab*ba"}]}"#, event: #"{"s":"aba"}"#, match: false),
    ]

    @Test(arguments: cases)
    func bothMatchersAgreeWithTheSpecification(_ testCase: Case) throws {
        let pattern = try EventPattern(text: testCase.pattern)
        let event = try JSONParser().parse(testCase.event)
        #expect(pattern.matches(event) == testCase.match)
        let machine = PatternMachine(rules: [.init(name: "r", pattern: pattern)])
        #expect(machine.matchingRules(event) == (testCase.match ? ["r"] : []))
    }

    @Test func thousandsOfRulesOnOnePath() throws {
        var rules: [PatternMachine.Rule] = []
        for index in 0..<2000 {
            rules.append(.init(name: "n\(index)", pattern: try EventPattern(text: #"{"eventName":["Op\#(index)"]}"#)))
        }
        rules.append(
            .init(name: "hit", pattern: try EventPattern(text: #"{"eventName":["Op7"],"src":[{"cidr":"10.0.0.0/8"}]}"#))
        )
        let machine = PatternMachine(rules: rules)
        #expect(machine.subRuleCount == 2001)
        let event = try JSONParser().parse(#"{"eventName":"Op7","src":"10.2.3.4"}"#)
        #expect(machine.matchingRules(event) == ["n7", "hit"])
    }
}
