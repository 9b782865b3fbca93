// SPDX-License-Identifier: Apache-2.0

import Crypto
import Testing
import TocsinCore

/// Sealing personal fields at ingest and opening them on reads, as tables of entries.
struct PersonalFieldsTests {
    static let aliceKey = SymmetricKey(data: [UInt8](repeating: 1, count: 32))
    static let aliceID = String(repeating: "a1", count: 16)

    static func path(_ text: String) -> JSONPath {
        JSONPath(text)!
    }

    static let policy = PersonalDataPolicy(rules: [
        PersonalDataRule(
            source: "/hr*",
            type: "user.*",
            subject: path("$.data.user.email"),
            fields: [path("$.data.user.name"), path("$.data.phones[1]"), path("$.subject"), path("$.ocsf.actor.user")]
        )
    ])

    static func entry(source: String = "/hr/eu", type: String = "user.changed", data: String) -> LogEntry {
        LogEntry(
            event: CloudEvent(
                id: "1",
                source: source,
                type: type,
                subject: "Alice",
                data: .json(Array(data.utf8))
            ),
            ocsf: .object(
                JSONObject([
                    .init(name: "actor", value: .object(JSONObject([.init(name: "user", value: .string("Alice"))])))
                ])
            )
        )
    }

    /// Seals with Alice's key (or `erased` for none) and records which subjects were asked for.
    static func seal(_ entry: LogEntry, erased: Bool = false, asked: inout [String]) throws -> LogEntry {
        var subjects: [String] = []
        let sealed = try PersonalFields(policy: policy).seal(
            entry,
            key: { subject in
                subjects.append(subject)
                return SubjectKey(keyID: aliceID, key: erased ? nil : aliceKey)
            },
            nonce: { AES.GCM.Nonce() }
        )
        asked = subjects
        return sealed
    }

    static func open(_ entry: LogEntry, key: SymmetricKey?) throws -> LoggedEvent {
        let logged = LoggedEvent(
            sequence: 1,
            event: entry.event,
            ingestMilliseconds: 0,
            hash: [],
            ocsf: entry.ocsf,
            enrichment: entry.enrichment
        )
        return try PersonalFields.open(logged) { $0 == aliceID ? key : nil }
    }

    static func data(_ event: CloudEvent) throws -> JSONValue {
        guard case .json(let bytes)? = event.data else {
            Issue.record("the event has no JSON data")
            return .null
        }
        return try JSONParser().parse(bytes)
    }

    static let record =
        #"{"user":{"email":"alice@example.com","name":"Alice","id":7},"phones":["+1","+15550100"],"n":1}"#

    @Test("declared fields, the subject path, the subject attribute and the OCSF copy are sealed; the rest is not")
    func sealsDeclaredFields() throws {
        var asked: [String] = []
        let sealed = try Self.seal(Self.entry(data: Self.record), asked: &asked)
        #expect(asked == ["alice@example.com"])
        let data = try Self.data(sealed.event)
        for value in [data["user"]?["email"], data["user"]?["name"], data["phones"].flatMap(Self.second)] {
            #expect(value?.stringValue?.hasPrefix(FieldEnvelope.prefix + Self.aliceID) == true)
        }
        #expect(sealed.event.subject?.hasPrefix(FieldEnvelope.prefix) == true)
        #expect(sealed.ocsf?["actor"]?["user"]?.stringValue?.hasPrefix(FieldEnvelope.prefix) == true)
        #expect(data["user"]?["id"] == .number(JSONNumber(7)))
        #expect(data["phones"].flatMap(Self.first) == .string("+1"))
        let stored = JSONWriter().string(sealed.event.jsonValue()) + JSONWriter().string(sealed.ocsf ?? .null)
        for plaintext in ["alice@example.com", "Alice", "+15550100"] {
            #expect(!stored.contains(plaintext), "\(plaintext) is not stored")
        }

        let opened = try Self.open(sealed, key: Self.aliceKey)
        #expect(try Self.data(opened.event) == (try JSONParser().parse(Self.record)))
        #expect(opened.event.subject == "Alice")
        #expect(opened.ocsf?["actor"]?["user"] == .string("Alice"))

        let erased = try Self.open(sealed, key: nil)
        let erasedData = try Self.data(erased.event)
        #expect(erasedData["user"]?["email"] == .string(FieldEnvelope.erasedMarker))
        #expect(erasedData["user"]?["name"] == .string(FieldEnvelope.erasedMarker))
        #expect(erasedData["user"]?["id"] == .number(JSONNumber(7)))
        #expect(erased.event.subject == FieldEnvelope.erasedMarker)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let source: String
        let type: String
        let data: String
        let erased: Bool
        /// The stored `data` with every envelope replaced by `E`.
        let expected: String
        var testDescription: String { name }
    }

    @Test(
        "what is stored",
        arguments: [
            Case(
                name: "another source is untouched",
                source: "/vpn",
                type: "user.changed",
                data: #"{"user":{"email":"a@x","name":"A"}}"#,
                erased: false,
                expected: #"{"user":{"email":"a@x","name":"A"}}"#
            ),
            Case(
                name: "another type is untouched",
                source: "/hr",
                type: "login",
                data: #"{"user":{"email":"a@x"}}"#,
                erased: false,
                expected: #"{"user":{"email":"a@x"}}"#
            ),
            Case(
                name: "no subject: the personal fields are stored as [erased]",
                source: "/hr",
                type: "user.changed",
                data: #"{"user":{"name":"A"}}"#,
                erased: false,
                expected: #"{"user":{"name":"[erased]"}}"#
            ),
            Case(
                name: "an erased subject gets no key: [erased]",
                source: "/hr",
                type: "user.changed",
                data: #"{"user":{"email":"a@x","name":"A"}}"#,
                erased: true,
                expected: #"{"user":{"email":"[erased]","name":"[erased]"}}"#
            ),
            Case(
                name: "missing fields and short arrays are skipped",
                source: "/hr",
                type: "user.created",
                data: #"{"user":{"email":"a@x"},"phones":["+1"]}"#,
                erased: false,
                expected: #"{"user":{"email":"E"},"phones":["+1"]}"#
            ),
            Case(
                name: "an object subject is no subject",
                source: "/hr",
                type: "user.changed",
                data: #"{"user":{"email":{"x":1},"name":"A"}}"#,
                erased: false,
                expected: #"{"user":{"email":"[erased]","name":"[erased]"}}"#
            ),
        ]
    )
    func stored(testCase: Case) throws {
        var asked: [String] = []
        let sealed = try Self.seal(
            Self.entry(source: testCase.source, type: testCase.type, data: testCase.data),
            erased: testCase.erased,
            asked: &asked
        )
        let shown = Self.maskEnvelopes(try Self.data(sealed.event))
        #expect(JSONWriter().string(shown) == testCase.expected)
    }

    @Test("an entry that is already sealed is sealed no further, and its bytes stay as they are")
    func idempotent() throws {
        var asked: [String] = []
        let once = try Self.seal(Self.entry(data: Self.record), asked: &asked)
        let twice = try Self.seal(once, asked: &asked)
        #expect(twice == once)
        #expect(asked.isEmpty, "the subject is an envelope: no key is asked for")
    }

    @Test("a read of an event without envelopes returns it unchanged, bytes and all")
    func openWithoutEnvelopes() throws {
        let entry = LogEntry(
            event: CloudEvent(id: "1", source: "/s", type: "t", data: .json(Array(#"{ "a" : 1 }"#.utf8)))
        )
        #expect(try Self.open(entry, key: nil).event == entry.event)
    }

    @Test(
        "source and type globs",
        arguments: [
            ("/hr*", "/hr/eu", true), ("/hr*", "/h", false), ("*", "", true), ("a*c", "abbbc", true),
            ("a*c", "abbbd", false), ("*.login", "ssh.login", true), ("*.login", "ssh.logins", false),
            ("exact", "exact", true), ("exact", "exactly", false), ("a**b", "ab", true),
        ]
    )
    func globs(pattern: String, text: String, matches: Bool) {
        let rule = PersonalDataRule(source: pattern, subject: Self.path("$.data.u"), fields: [])
        #expect(rule.applies(to: CloudEvent(id: "1", source: text, type: "t")) == matches)
    }

    static func first(_ value: JSONValue) -> JSONValue? {
        guard case .array(let elements) = value, !elements.isEmpty else {
            return nil
        }
        return elements[0]
    }

    static func second(_ value: JSONValue) -> JSONValue? {
        guard case .array(let elements) = value, elements.count > 1 else {
            return nil
        }
        return elements[1]
    }

    /// `value` with every envelope string replaced by `E`.
    static func maskEnvelopes(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text) where text.hasPrefix(FieldEnvelope.prefix):
            return .string("E")
        case .array(let elements):
            return .array(elements.map(maskEnvelopes))
        case .object(var object):
            for index in object.members.indices {
                object.members[index].value = maskEnvelopes(object.members[index].value)
            }
            return .object(object)
        default:
            return value
        }
    }
}
