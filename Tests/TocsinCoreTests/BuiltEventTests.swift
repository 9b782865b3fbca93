// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore

/// Events built in code from untrusted values (the native-source normalisers') are made valid, and
/// checked against the rules the decoder applies, before they are stored.
struct BuiltEventTests {
    @Test(arguments: [
        ("123456789012", "123456789012"),
        ("<organization master account ID>", "%3Corganization%20master%20account%20ID%3E"),
        ("a/b?c#d", "a%2Fb%3Fc%23d"),
        ("cloudaudit.googleapis.com%2Factivity", "cloudaudit.googleapis.com%2Factivity"),
        ("100%", "100%25"),
        ("münchen", "m%C3%BCnchen"),
        ("user@example.com:1", "user@example.com:1"),
    ])
    func sourceSegmentsAreEscapedOnce(text: String, expected: String) throws {
        let segment = CloudEvent.sourceSegment(text)
        #expect(segment == expected)
        #expect(CloudEvent.sourceSegment(segment) == segment, "escaping is idempotent")
        let event = CloudEvent(id: "1", source: "/x/\(segment)", type: "t")
        #expect(throws: Never.self) { try event.validateAttributes() }
    }

    @Test func attributeTextReplacesOnlyForbiddenCharacters() {
        #expect(CloudEvent.attributeText("arn:aws:iam::1:user/Jane Doe") == "arn:aws:iam::1:user/Jane Doe")
        #expect(CloudEvent.attributeText("evil\u{01}user\tname") == "evil\u{FFFD}user\u{FFFD}name")
        let nonCharacter = String(decoding: [0xEF, 0xB7, 0x90], as: UTF8.self)
        #expect(CloudEvent.attributeText("ok" + nonCharacter) == "ok\u{FFFD}", "U+FDD0")
    }

    @Test func invalidBuiltEventsAreNamedByAttributeAndRule() {
        let cases: [(CloudEvent, String, String)] = [
            (CloudEvent(id: "1", source: "/a b", type: "t"), "source", "uri"),
            (CloudEvent(id: "", source: "/a", type: "t"), "id", "non-empty"),
            (CloudEvent(id: "1", source: "/a", type: "t\u{07}"), "type", "string"),
            (CloudEvent(id: "1", source: "/a", type: "t", subject: "x\u{0}"), "subject", "string"),
        ]
        for (event, attribute, rule) in cases {
            do {
                try event.validateAttributes()
                Issue.record("\(attribute) was accepted")
            } catch {
                #expect(error.attribute == attribute && error.rule.name == rule)
                #expect(!error.description.contains("a b") && !error.description.contains("\u{07}"), "no values")
            }
        }
    }
}
