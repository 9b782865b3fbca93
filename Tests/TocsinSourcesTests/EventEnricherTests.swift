// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinSources

/// The walk over an event's values that produces its `enrichment`.
struct EventEnricherTests {
    static let indicators = IndicatorIndex(lists: [
        try! ThreatIntelList.parse(
            Array("203.0.113.9\n198.51.100.0/24\nexample.com\n".utf8),
            name: "tor-exit",
            file: "tor-exit.txt",
            maxEntries: 10
        )
    ])
    static let directory = try! IdentityDirectory(people: [
        .init(user: "alice", email: "alice@example.org", team: "Platform", manager: "jane", risk: "high"),
        .init(user: "bob", team: "Finance"),
    ])
    static let enricher = EventEnricher(indicators: indicators, directory: directory)

    static func event(data: CloudEventData?, subject: String? = nil) -> CloudEvent {
        CloudEvent(
            id: "1",
            source: "/test",
            type: "t",
            dataContentType: "application/json",
            subject: subject,
            data: data
        )
    }

    static func json(_ text: String) -> CloudEventData {
        .json(Array(text.utf8))
    }

    static func view(_ text: String) -> JSONValue {
        try! JSONParser().parse(text)
    }

    @Test("values of data and view are matched in order, once each; the subject names the user")
    func cloudEvent() throws {
        let data =
            #"{"ip":"203.0.113.9","n":203,"peers":["198.51.100.7","203.0.113.9"],"url":{"href":"https://www.example.com/x"}}"#
        let entry = LogEntry(event: Self.event(data: Self.json(data), subject: "Alice"))
        let enrichment = try #require(Self.enricher.enrichment(for: entry))
        #expect(
            JSONWriter().string(enrichment)
                == #"{"threat_intel":[{"list":"tor-exit","indicator":"203.0.113.9","type":"ip","value":"203.0.113.9"},"#
                + #"{"list":"tor-exit","indicator":"198.51.100.0/24","type":"cidr","value":"198.51.100.7"},"#
                + #"{"list":"tor-exit","indicator":"example.com","type":"domain","value":"https://www.example.com/x"}],"#
                + #""identity":{"user":"alice","team":"Platform","manager":"jane","risk":"high"}}"#
        )
        let enriched = Self.enricher.enriched(entry)
        #expect(enriched.enrichment == enrichment)
        #expect(enriched.matchDocument()["enrichment"] == enrichment)
    }

    @Test("nothing found: no enrichment at all")
    func nothing() {
        let entry = LogEntry(event: Self.event(data: Self.json(#"{"ip":"192.0.2.1"}"#), subject: "mallory"))
        #expect(Self.enricher.enrichment(for: entry) == nil)
        #expect(Self.enricher.enriched(entry) == entry)
        #expect(entry.matchDocument()["enrichment"] == nil)
        #expect(EventEnricher.empty.isEmpty && !Self.enricher.isEmpty)
    }

    @Test("the OCSF view is walked too, and a value it repeats from data counts once")
    func view() throws {
        let entry = LogEntry(
            event: Self.event(data: Self.json(#"{"sourceIPAddress":"203.0.113.9"}"#)),
            ocsf: Self.view(#"{"src_endpoint":{"ip":"203.0.113.9"},"dst_endpoint":{"domain":"api.example.com"}}"#)
        )
        let matches = Self.enricher.threatIntelligence(for: entry)
        #expect(matches.map(\.value) == ["203.0.113.9", "api.example.com"])
    }

    @Test("payload values are read from the JSON bytes: escapes decoded, member names and numbers skipped")
    func payloadBytes() {
        let data = #"""
            {"203.0.113.9": 1, "n": 203.0113, "url": "https:\/\/www.example.com\/x", "who": "jos\u00e9@mail.example.com",
             "emoji": "\ud83d\ude00@mail.example.com", "spaced": "x 198.51.100.1", "quoted": "say \"hi\"", "peer" : "198.51.100.7"}
            """#
        let entry = LogEntry(event: Self.event(data: Self.json(data)))
        #expect(
            Self.enricher.threatIntelligence(for: entry).map(\.value) == [
                "https://www.example.com/x", "jos\u{E9}@mail.example.com", "\u{1F600}@mail.example.com",
                "198.51.100.7",
            ]
        )
    }

    @Test("a text payload is one value; a binary payload is not read")
    func payloadKinds() {
        let text = LogEntry(event: Self.event(data: .text("203.0.113.9")))
        #expect(Self.enricher.threatIntelligence(for: text).count == 1)
        let binary = LogEntry(event: Self.event(data: .binary(Array("203.0.113.9".utf8))))
        #expect(Self.enricher.threatIntelligence(for: binary).isEmpty)
    }

    struct UserCase: Sendable, CustomTestStringConvertible {
        let name: String
        let view: String?
        let subject: String?
        let user: String?
        var testDescription: String { name }
    }

    @Test(
        "the identity comes from the first user field the directory knows",
        arguments: [
            UserCase(
                name: "actor before user",
                view: #"{"actor":{"user":{"name":"bob"}},"user":{"name":"alice"}}"#,
                subject: nil,
                user: "bob"
            ),
            UserCase(
                name: "an unknown actor falls through to the actor's e-mail address",
                view: #"{"actor":{"user":{"name":"svc-deploy","email_addr":"ALICE@example.org"}}}"#,
                subject: nil,
                user: "alice"
            ),
            UserCase(
                name: "the target user when the actor is unknown",
                view: #"{"actor":{"user":{"name":"root"}},"user":{"email_addr":"alice@example.org"}}"#,
                subject: nil,
                user: "alice"
            ),
            UserCase(
                name: "a view without user fields ignores the subject",
                view: #"{"class_uid":3002}"#,
                subject: "bob",
                user: nil
            ),
            UserCase(name: "without a view, the subject", view: nil, subject: "BOB", user: "bob"),
            UserCase(name: "a user no one knows", view: nil, subject: "mallory", user: nil),
        ]
    )
    func identity(_ example: UserCase) {
        let entry = LogEntry(
            event: Self.event(data: nil, subject: example.subject),
            ocsf: example.view.map(Self.view)
        )
        #expect(Self.enricher.identity(for: entry)?.user == example.user)
        #expect(Self.enricher.enrichment(for: entry)?["identity"]?["user"]?.stringValue == example.user)
    }

    @Test("matches are bounded per event")
    func matchBound() {
        let lines = (0..<150).map { "10.0.\($0 / 256).\($0 % 256)" }
        let index = IndicatorIndex(lists: [
            try! ThreatIntelList.parse(Array(lines.joined(separator: "\n").utf8), name: "l", file: "l", maxEntries: 200)
        ])
        let data = "[" + lines.map { "\"\($0)\"" }.joined(separator: ",") + "]"
        let entry = LogEntry(event: Self.event(data: Self.json(data)))
        #expect(EventEnricher(indicators: index, directory: .empty).threatIntelligence(for: entry).count == 100)
        var limits = EventEnricher.Limits()
        limits.maxMatches = 3
        let matches = EventEnricher(indicators: index, directory: .empty, limits: limits).threatIntelligence(for: entry)
        #expect(matches.map(\.value) == ["10.0.0.0", "10.0.0.1", "10.0.0.2"])
    }

    @Test("values examined are bounded per event")
    func valueBound() {
        var limits = EventEnricher.Limits()
        limits.maxValues = 2
        let enricher = EventEnricher(indicators: Self.indicators, directory: .empty, limits: limits)
        let early = LogEntry(event: Self.event(data: Self.json(#"["a","203.0.113.9","b"]"#)))
        let late = LogEntry(event: Self.event(data: Self.json(#"["a","b","203.0.113.9"]"#)))
        #expect(enricher.threatIntelligence(for: early).count == 1)
        #expect(enricher.threatIntelligence(for: late).isEmpty, "the third value is past the bound")
    }
}
