// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinResponse

/// The alert event's schema: building, reading back, ids and located errors.
struct AlertTests {
    /// A stand-in for the node's HMAC derivation: deterministic and readable.
    struct PlainIdentifiers: EventIdentifierDeriving {
        func derived(_ kind: String, _ parts: [String]) -> String {
            kind + "-" + parts.joined(separator: "|")
        }
    }

    static let sample = Alert(
        rule: "aws_cloudtrail_disable_logging",
        title: "AWS CloudTrail Important Change",
        level: .medium,
        tags: ["attack.defense-evasion", "attack.t1562.001"],
        author: "vitaliy0x1",
        kind: .sigma,
        evidence: [41],
        group: [
            .init(field: "userIdentity.arn", value: .string("arn:aws:iam::1:user/eve")),
            .init(field: "count", value: .number(JSONNumber(3))),
        ],
        count: 1,
        firstEventMilliseconds: 1_800_000_000_000,
        lastEventMilliseconds: 1_800_000_000_250,
        identity: "41"
    )

    @Test("an alert survives its event: build, serialise, read back")
    func roundTrip() throws {
        let event = Self.sample.event(identifiers: PlainIdentifiers())
        #expect(event.type == "tocsin.alert.raised" && event.source == "/tocsin/detect")
        #expect(event.subject == "aws_cloudtrail_disable_logging")
        #expect(event.id == "alert-aws_cloudtrail_disable_logging|41")
        #expect(event.time?.epochMilliseconds == 1_800_000_000_250)
        #expect(try Alert(event: event) == Self.sample)
        var staged = Self.sample
        staged.isStaged = true
        staged.incidentKey = "account-1"
        staged.author = nil
        #expect(try Alert(event: staged.event(identifiers: PlainIdentifiers())) == staged)
        // An absence reports a silence: no events, count 0 (for other kinds, 0 is refused below).
        var silence = Self.sample
        silence.kind = .absence
        silence.count = 0
        #expect(try Alert(event: silence.event(identifiers: PlainIdentifiers())) == silence)
    }

    @Test("the same alert raised twice is the same event; another identity or rule is another")
    func identity() {
        let ids = PlainIdentifiers()
        #expect(Self.sample.event(identifiers: ids) == Self.sample.event(identifiers: ids))
        var other = Self.sample
        other.identity = "42"
        #expect(other.event(identifiers: ids).id != Self.sample.event(identifiers: ids).id)
        other = Self.sample
        other.rule = "another"
        #expect(other.event(identifiers: ids).id != Self.sample.event(identifiers: ids).id)
    }

    @Test("the data members are the documented schema, in order")
    func schema() throws {
        guard case .object(let data) = Self.sample.json else {
            Issue.record("the data is an object")
            return
        }
        #expect(
            data.members.map(\.name) == [
                "rule", "title", "level", "tags", "author", "kind", "evidence", "group", "count", "first_event_time",
                "last_event_time", "staged", "incident_key", "identity",
            ]
        )
        #expect(data["first_event_time"] == .string("2027-01-15T08:00:00.000Z"))
        #expect(data["group"]?.array?.first?["field"] == .string("userIdentity.arn"))
    }

    struct Broken: Sendable, CustomTestStringConvertible {
        let member: String
        let value: JSONValue?
        let path: String
        var testDescription: String { "\(member) → \(path)" }
    }

    @Test(
        "a malformed alert names the member at fault and never its value",
        arguments: [
            Broken(member: "rule", value: nil, path: "$.data.rule"),
            Broken(member: "rule", value: .string(""), path: "$.data.rule"),
            Broken(member: "level", value: .string("sev1"), path: "$.data.level"),
            Broken(member: "kind", value: .string("guess"), path: "$.data.kind"),
            Broken(member: "evidence", value: .array([.number(JSONNumber(0))]), path: "$.data.evidence"),
            Broken(member: "count", value: .number(JSONNumber(0)), path: "$.data.count"),
            Broken(member: "tags", value: .array([.bool(true)]), path: "$.data.tags"),
            Broken(member: "group", value: .array([.string("secret-value")]), path: "$.data.group[0]"),
            Broken(member: "first_event_time", value: .string("yesterday"), path: "$.data.first_event_time"),
            Broken(member: "last_event_time", value: .string("2000-01-01T00:00:00Z"), path: "$.data.last_event_time"),
            Broken(member: "staged", value: .string("secret-value"), path: "$.data.staged"),
            Broken(member: "identity", value: nil, path: "$.data.identity"),
        ]
    )
    func located(_ broken: Broken) {
        guard case .object(var data) = Self.sample.json else {
            return
        }
        data[broken.member] = broken.value
        #expect(throws: AlertError.self) { try Alert(json: .object(data)) }
        do {
            _ = try Alert(json: .object(data))
        } catch {
            #expect(error.path == broken.path)
            #expect(error.code == .invalidAlert)
            #expect(!error.description.contains("secret-value"))
        }
    }

    @Test("members a newer version adds are ignored; more evidence than the bound is refused")
    func forwardCompatible() throws {
        guard case .object(var data) = Self.sample.json else {
            return
        }
        data["confidence"] = .number(JSONNumber(90))
        #expect(try Alert(json: .object(data)) == Self.sample)
        data["evidence"] = .array((1...1001).map { .number(JSONNumber(Int64($0))) })
        #expect(throws: AlertError.self) { try Alert(json: .object(data)) }
    }

    @Test("the default grouping key tells rules and group values apart; an explicit key wins")
    func groupingKeys() {
        var alert = Self.sample
        let key = alert.groupingKey
        alert.group[0].value = .string("arn:aws:iam::1:user/mallory")
        #expect(alert.groupingKey != key)
        alert.rule = "other"
        alert.group = Self.sample.group
        #expect(alert.groupingKey != key)
        alert.incidentKey = "account-1"
        #expect(alert.groupingKey == "account-1")
    }

    @Test("an incident action survives its event; a missing assignee is refused when reading")
    func actions() throws {
        let action = IncidentAction(
            incident: 42,
            verb: .assign,
            actor: "alice",
            assignee: "bob",
            note: "blocked at edge",
            milliseconds: 1_800_000_000_000
        )
        let event = action.event(id: "e1")
        #expect(event.type == "tocsin.incident.assigned" && event.subject == "42")
        #expect(try IncidentAction(event: event) == action)
        var unassigned = action
        unassigned.assignee = nil
        #expect(throws: AlertError.self) { try IncidentAction(event: unassigned.event(id: "e2")) }
        var plain = action
        plain.verb = .close
        plain.assignee = nil
        plain.note = nil
        #expect(try IncidentAction(event: plain.event(id: "e3")) == plain)
    }

    @Test("the incident target raises a pattern alert keyed by the value at its key path")
    func routed() throws {
        let document = try JSONParser().parse(
            #"{"type":"ssh.login.failed","source":"/test","data":{"user":"root","summary":"bad login"}}"#
        )
        let routed = Alert.RoutedEvent(
            document: document,
            sequence: 12,
            milliseconds: 5_000,
            rule: "ssh",
            target: "cases",
            keyPath: try #require(JSONPath("$.data.user")),
            titlePath: JSONPath("$.data.summary"),
            level: .critical
        )
        let alert = try Alert.routed(routed).get()
        #expect(alert.incidentKey == "root" && alert.groupingKey == "root")
        #expect(alert.title == "bad login" && alert.level == .critical && alert.kind == .pattern)
        #expect(alert.evidence == [12] && alert.count == 1 && alert.lastEventMilliseconds == 5_000)
        #expect(alert.identity == "incident-target/cases/12")
        var untitled = routed
        untitled.titlePath = nil
        #expect(try Alert.routed(untitled).get().title == "ssh: ssh.login.failed")
        var keyless = routed
        keyless.keyPath = try #require(JSONPath("$.data.missing"))
        #expect(throws: AttemptFailure.self) { try Alert.routed(keyless).get() }
        var looping = routed
        looping.document = try JSONParser().parse(#"{"type":"tocsin.incident.opened","data":{"user":"root"}}"#)
        let refusal = try #require(Alert.routed(looping).failure)
        #expect(refusal.kind == .rejected && !refusal.isRetryable)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let failure) = self {
            return failure
        }
        return nil
    }
}

extension JSONValue {
    var array: [JSONValue]? {
        if case .array(let items) = self {
            return items
        }
        return nil
    }
}
