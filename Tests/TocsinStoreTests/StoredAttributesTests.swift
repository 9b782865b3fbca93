// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore

@testable import TocsinStore

/// The readers' decoder of stored attributes puts back exactly what the validating decoder reads,
/// and gives up (so the validating decoder names the problem) on anything the writer never stores.
struct StoredAttributesTests {
    /// Events of every attribute shape ingest accepts.
    static let events: [CloudEvent] = [
        CloudEvent(id: "a", source: "/aws/cloudtrail", type: "aws.cloudtrail", dataContentType: "application/json"),
        CloudEvent(
            id: "b",
            source: "urn:tocsin:test",
            type: "t.all",
            dataContentType: "text/plain; charset=utf-8",
            dataSchema: "https://example.com/schema.json",
            subject: "alice@example.com",
            time: Timestamp(rfc3339: "2026-11-25T10:00:00.123456789+02:00"),
            extensions: ["tenant": .string("acme"), "priority": .integer(-3), "sampled": .boolean(true)]
        ),
        CloudEvent(id: "ünïcode \u{1F600}", source: "/s", type: "t", time: Timestamp(epochMilliseconds: 0)),
    ]

    static func stored(_ event: CloudEvent) throws -> JSONValue {
        try JSONParser().parse(JSONWriter().bytes(.object(event.attributes)))
    }

    @Test("stored attributes read back as the validating decoder reads them", arguments: events)
    func equalsValidatingDecoder(event: CloudEvent) throws {
        let stored = try Self.stored(event)
        let trusted = try #require(StoredAttributes.event(stored))
        #expect(trusted == (try CloudEventDecoder().decode(json: stored)))
        #expect(trusted == event)
    }

    @Test(
        "shapes the writer never stores are left to the validating decoder",
        arguments: [
            #"{"source":"/s","specversion":"1.0","type":"t"}"#,
            #"{"id":"a","specversion":"1.0","type":"t"}"#,
            #"{"id":"a","source":"/s","type":"t"}"#,
            #"{"id":"a","source":"/s","specversion":"1.0"}"#,
            #"{"id":"a","source":"/s","specversion":"0.3","type":"t"}"#,
            #"{"id":"a","source":7,"specversion":"1.0","type":"t"}"#,
            #"{"id":"a","source":"/s","specversion":"1.0","type":"t","time":"yesterday"}"#,
            #"{"id":"a","source":"/s","specversion":"1.0","type":"t","subject":null}"#,
            #"{"id":"a","source":"/s","specversion":"1.0","type":"t","subject":true}"#,
            #"{"id":"a","source":"/s","specversion":"1.0","type":"t","count":2147483648}"#,
            #"{"id":"a","source":"/s","specversion":"1.0","type":"t","count":1.5}"#,
            #"{"id":"a","source":"/s","specversion":"1.0","type":"t","nested":{}}"#,
            #"["id","a"]"#,
        ]
    )
    func refusesOtherShapes(text: String) throws {
        #expect(StoredAttributes.event(try JSONParser().parse(text)) == nil)
    }
}
