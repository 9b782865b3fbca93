// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinStore
import TocsinTesting

/// Pages of the log are decoded straight from the query's cursor (the path the router, detection
/// and replay read); what they return equals the event read alone, for every kind of record.
struct EventPageDecodingTests {
    static let enrichment = try! JSONParser().parse(
        #"{"compliance":["report ip_address $.data.sourceIPAddress"]}"#
    )
    static let view = JSONValue.object(JSONObject([.init(name: "class_uid", value: .number(JSONNumber(3002)))]))

    /// One record of each shape: JSON, text, binary and no data; with a view, an enrichment, both,
    /// subject, time and an extension.
    static var entries: [LogEntry] {
        [
            LogEntry(event: EventFixtures.sshFailure(id: "json")),
            LogEntry(event: CloudEvent(id: "text", source: "/t", type: "t.text", data: .text("héllo"))),
            LogEntry(event: CloudEvent(id: "binary", source: "/t", type: "t.binary", data: .binary([0, 1, 0xFF]))),
            LogEntry(
                event: CloudEvent(
                    id: "bare",
                    source: "/t",
                    type: "t.bare",
                    subject: "s",
                    time: Timestamp(epochMilliseconds: 1_795_000_000_123),
                    extensions: ["tenant": .string("a"), "priority": .integer(3)]
                )
            ),
            LogEntry(event: EventFixtures.sshFailure(id: "enriched"), enrichment: Self.enrichment),
            LogEntry(event: EventFixtures.sshFailure(id: "both"), ocsf: Self.view, enrichment: Self.enrichment),
        ]
    }

    @Test("every event of a page equals the same event read alone, in pages of every size")
    func pagesEqualSingleReads() async throws {
        try await withRunningStore { store, _ in
            _ = try await store.append(entries: Self.entries)
            let head = try await store.lastSequence()
            var single: [LoggedEvent] = []
            for sequence in 1...head {
                single.append(try #require(try await store.event(at: sequence)))
            }
            #expect(single.contains { $0.enrichment == Self.enrichment && $0.ocsf == Self.view })
            for limit in [1, 2, 5, 100] {
                var read: [LoggedEvent] = []
                var after: Int64 = 0
                while true {
                    let page = try await store.query(EventQuery(after: after, limit: limit))
                    #expect(page.events.count <= limit)
                    read += page.events
                    guard let next = page.nextCursor else {
                        break
                    }
                    #expect(next == page.events.last?.sequence)
                    after = next
                }
                #expect(read == single, "pages of \(limit)")
            }
        }
    }

    @Test("a page read without enrichment is the same page with every enrichment left out")
    func omittedEnrichment() async throws {
        try await withRunningStore { store, _ in
            _ = try await store.append(entries: Self.entries)
            var query = EventQuery(limit: 100)
            let whole = try await store.query(query).events
            query.omitsEnrichment = true
            let omitted = try await store.query(query).events
            #expect(whole.filter { $0.enrichment != nil }.count == 2)
            #expect(omitted.allSatisfy { $0.enrichment == nil })
            var stripped = whole
            for index in stripped.indices {
                stripped[index].enrichment = nil
            }
            #expect(omitted == stripped)
        }
    }
}
