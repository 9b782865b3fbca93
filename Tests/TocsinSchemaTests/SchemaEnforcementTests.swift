// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinSchema

/// The publish-time check: which event of a request breaks its type's schema, and the problem text.
struct SchemaEnforcementTests {
    static func registry() throws -> SchemaRegistry {
        var registry = SchemaRegistry()
        let schema = try JSONParser().parse(
            #"{"type": "object", "required": ["user"], "properties": {"user": {"type": "string", "maxLength": 8}}}"#
        )
        registry.restore(try registry.prepare(type: "com.example.login", document: schema))
        return registry
    }

    static func event(_ type: String, _ data: CloudEventData?) -> CloudEvent {
        CloudEvent(id: "1", source: "/test", type: type, data: data)
    }

    @Test func theFirstBadEntryIsNamedWithKeywordAndPathButNoValue() throws {
        let events = [
            Self.event("com.example.other", .json(Array(#"{"anything": 1}"#.utf8))),
            Self.event("com.example.login", .json(Array(#"{"user": "alice"}"#.utf8))),
            Self.event("com.example.login", .json(Array(#"{"user": "a-very-long-secret"}"#.utf8))),
        ]
        let rejection = try #require(try Self.registry().firstRejection(in: events))
        #expect(rejection.index == 2)
        #expect(rejection.version == 1)
        #expect(rejection.violations.map(\.keyword) == ["maxLength"])
        #expect(rejection.detail.hasPrefix("event 2 (type com.example.login) does not match schema version 1: "))
        #expect(rejection.detail.contains("maxLength at /user"))
        #expect(!rejection.detail.contains("secret"))
    }

    @Test(arguments: [
        (CloudEventData?.none, "type"),
        (.binary([1, 2]), "type"),
        (.json(Array("{".utf8)), "type"),
        (.json(Array("{}".utf8)), "required"),
        (.text("plain"), "type"),
    ])
    func dataThatIsNotAMatchingObjectIsRejected(data: CloudEventData?, keyword: String) throws {
        let rejection = try Self.registry().firstRejection(in: [Self.event("com.example.login", data)])
        #expect(rejection?.violations.first?.keyword == keyword)
    }

    @Test func typesWithoutASchemaPassAndAnEmptyRegistryChecksNothing() throws {
        let binary = Self.event("com.example.other", .binary([0xFF]))
        #expect(try Self.registry().firstRejection(in: [binary]) == nil)
        #expect(SchemaRegistry().firstRejection(in: [Self.event("com.example.login", nil)]) == nil)
    }
}
