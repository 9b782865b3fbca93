// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore

@testable import TocsinConsole

struct RenderingTests {
    static let hostile = "<script>alert(1)</script>\"'&"

    static func event(seq: Int64, value: String) -> JSONValue {
        .object(
            JSONObject([
                .init(name: "seq", value: .number(JSONNumber(seq))),
                .init(name: "ingesttime", value: .string("2026-12-05T10:00:00.000Z")),
                .init(name: "hash", value: .string("ab12")),
                .init(
                    name: "event",
                    value: .object(
                        JSONObject([
                            .init(name: "type", value: .string(value)),
                            .init(name: "source", value: .string(value)),
                            .init(name: "subject", value: .string(value)),
                            .init(
                                name: "data",
                                value: .object(JSONObject([.init(name: value, value: .string(value))]))
                            ),
                        ])
                    )
                ),
            ])
        )
    }

    static let chrome = PageChrome(section: .events, identity: hostile, csrf: "tok")

    @Test("no template writes a value unescaped")
    func noUnescapedTags() {
        for (name, text) in ConsoleAssets.templates {
            #expect(!text.contains("{{{"), "template \(name)")
            #expect(!text.contains("{{&"), "template \(name)")
        }
    }

    @Test("no template has inline script or style, which the policy would block")
    func noInlineCode() {
        for (name, text) in ConsoleAssets.templates {
            #expect(!text.contains("<script>"), "template \(name)")
            #expect(!text.contains("style="), "template \(name)")
            let handlers = text.split(separator: " on").dropFirst().filter { rest in
                let name = rest.prefix { $0.isLetter }
                return !name.isEmpty && rest.dropFirst(name.count).first == "="
            }
            #expect(handlers.isEmpty, "template \(name) has an event handler attribute")
        }
    }

    @Test("event values are escaped on the detail page")
    func detailEscapes() throws {
        let page = try #require(
            EventDetailPage(
                chrome: Self.chrome,
                event: Self.event(seq: 2, value: Self.hostile),
                previous: Self.event(seq: 1, value: "x"),
                deliveries: []
            )
        )
        let html = try ConsoleRenderer().render(page, template: "event")
        #expect(!html.contains("<script>alert"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("&quot;"))
        #expect(html.contains("/ui/events/1"))
    }

    @Test("event rows are escaped on the events page")
    func listEscapes() throws {
        let row = try #require(EventRow(api: Self.event(seq: 7, value: Self.hostile)))
        let page = EventsPage(
            chrome: Self.chrome,
            pattern: Self.hostile,
            patternError: nil,
            rows: [row],
            streamHref: "/ui/events/stream",
            maximumRows: 200,
            rowsPerSecond: 40
        )
        let html = try ConsoleRenderer().render(page, template: "events")
        #expect(!html.contains("<script>alert"))
        #expect(html.contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;\""))
        #expect(html.contains("href=\"/ui/events/7\""))
    }

    @Test("every form carries the session's CSRF token")
    func formsCarryToken() throws {
        let incident = JSONValue.object(
            JSONObject([
                .init(name: "id", value: .number(JSONNumber(3))),
                .init(name: "status", value: .string("open")),
            ])
        )
        let incidents = IncidentsPage(
            chrome: PageChrome(section: .incidents, identity: "r", csrf: "tok123"),
            incidents: [IncidentRow(api: incident, mayAct: true)]
        )
        let html = try ConsoleRenderer().render(incidents, template: "incidents")
        let forms = html.split(separator: "method=\"post\"", omittingEmptySubsequences: false).count - 1
        let tokens = html.split(separator: "name=\"csrf\" value=\"tok123\"", omittingEmptySubsequences: false).count - 1
        #expect(forms == 4)
        #expect(tokens == forms)
    }

    @Test(
        "the targets page shows redrive controls only to a role that may redrive",
        arguments: [true, false]
    )
    func redriveButtons(_ canRedrive: Bool) throws {
        let letter = JSONValue.object(
            JSONObject([
                .init(name: "id", value: .number(JSONNumber(9))),
                .init(name: "event", value: .number(JSONNumber(4))),
                .init(name: "state", value: .string("dead")),
            ])
        )
        let page = TargetsPage(
            chrome: PageChrome(section: .targets, identity: "r", csrf: "t"),
            targets: [],
            deadLetters: [DeliveryRow(api: letter)],
            canRedrive: canRedrive
        )
        let html = try ConsoleRenderer().render(page, template: "targets")
        #expect(html.contains("dead-letter-9"))
        #expect(html.contains("class=\"redrive\"") == canRedrive)
        #expect(html.contains("redrive-all") == canRedrive)
    }
}
