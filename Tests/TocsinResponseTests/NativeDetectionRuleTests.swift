// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinConfig
import TocsinCore
import TocsinDetect
import TocsinResponse
import TocsinRules

/// Pattern rules with `first_seen`, `absence` or `impossible_travel`: how they are read, what events
/// bring to them, the alerts they raise and where those go.
struct NativeDetectionRuleTests {
    func rule(_ name: String, _ text: String) throws -> RuleDefinition {
        try RuleDefinition(name: name, json: JSONParser().parse(text))
    }

    func diagnostics(_ text: String) -> [String] {
        do {
            _ = try rule("r", text)
            return []
        } catch let error as ConfigError {
            return error.diagnostics.map { "\($0.path): \($0.message)" }
        } catch {
            return ["\(error)"]
        }
    }

    /// Feeds `events` (match documents with `time`) to a table of `rules` in order, moving absence
    /// time with each event's time; returns the alerts as `rule/kind/group`.
    func alerts(_ rules: [RuleDefinition], _ events: [String], replayThrough: Int64? = nil) throws -> [String] {
        let table = DetectionTable(rules: rules)
        var engines = try DetectionEngines(table: table)
        if let replayThrough {
            engines.beginReplay(through: replayThrough)
        }
        let context = DetectionContext()
        var raised: [DetectionEngines.Raised] = []
        for (index, text) in events.enumerated() {
            let event = try JSONParser().parse(text)
            let time = DetectionEngines.time(of: event, fallback: 0)
            raised += engines.advanceAbsences(to: time, sequence: Int64(index + 1))
            raised += engines.observe(table.evaluate(event, context: context), sequence: Int64(index + 1), time: time)
        }
        raised += engines.finish()
        return raised.map { "\($0.source.name)/\($0.source.kind.rawValue)/\($0.alert.group.joined(separator: ","))" }
    }

    static let newCountry = #"""
        {"pattern": {"type": ["login"]}, "level": "high",
         "first_seen": {"key": ["$.user"], "value": "$.country", "learning_seconds": 3600},
         "targets": [{"target": "soc"}]}
        """#

    static func login(_ user: String, _ country: String, minute: Int) -> String {
        let time = "2026-11-25T\(String(format: "%02d:%02d", 10 + minute / 60, minute % 60)):00Z"
        return #"{"type": "login", "time": "\#(time)", "user": "\#(user)", "country": "\#(country)"}"#
    }

    @Test func firstSeenIsReadShownAndAlertsAfterLearning() throws {
        let rule = try rule("new-country", Self.newCountry)
        let firstSeen = try #require(rule.firstSeen)
        #expect(firstSeen.key.map(\.description) == ["$.user"] && firstSeen.value.description == "$.country")
        #expect(firstSeen.learningSeconds == 3600 && firstSeen.maximumValuesPerKey == 1000 && !firstSeen.alertsOnNewKey)
        #expect(rule.isDetection && rule.json["first_seen"]?["learning_seconds"] == .number(JSONNumber(3600)))
        let found = try alerts(
            [rule],
            [
                Self.login("alice", "FR", minute: 0),
                Self.login("alice", "DE", minute: 10),  // learned: still learning
                Self.login("alice", "FR", minute: 70),
                Self.login("alice", "US", minute: 80),  // new after learning
                Self.login("bob", "BR", minute: 90),  // a new key learns its first value silently
                Self.login("bob", "BR", minute: 95),
                #"{"type": "login", "time": "2026-11-25T11:40:00Z", "user": "alice"}"#,  // no value: not counted
            ]
        )
        #expect(found == ["new-country/first_seen/alice"])
    }

    @Test func impossibleTravelComparesLocationsOfOneUser() throws {
        let rule = try rule(
            "travel",
            #"{"pattern": {"type": ["login"]}, "impossible_travel": {"user": "$.user", "max_speed_kmh": 900}, "targets": []}"#
        )
        let travel = try #require(rule.impossibleTravel)
        #expect(travel.location.description == "$.ocsf.src_endpoint.location" && travel.minimumKilometres == 100)
        func login(_ user: String, hour: Int, lat: Double, long: Double) -> String {
            #"{"type": "login", "time": "2026-11-25T\#(String(format: "%02d", hour)):00:00Z", "user": "\#(user)", "#
                + #""ocsf": {"src_endpoint": {"location": {"lat": \#(lat), "long": \#(long)}}}}"#
        }
        let paris = (48.8566, 2.3522)
        let newYork = (40.7128, -74.0060)
        let found = try alerts(
            [rule],
            [
                login("alice", hour: 1, lat: paris.0, long: paris.1),
                login("alice", hour: 3, lat: newYork.0, long: newYork.1),  // 5,837 km in 2 h
                login("bob", hour: 1, lat: paris.0, long: paris.1),
                login("bob", hour: 9, lat: newYork.0, long: newYork.1),  // 8 h: 730 km/h
                #"{"type": "login", "time": "2026-11-25T10:00:00Z", "user": "bob", "ocsf": {}}"#,  // no location
            ]
        )
        #expect(found == ["travel/impossible_travel/alice"])
    }

    @Test func absenceFiresWhenAStreamFallsSilentWhileTimeMovesOn() throws {
        let heartbeat = try rule(
            "heartbeat",
            #"{"pattern": {"type": ["heartbeat"]}, "absence": {"within_seconds": 300, "group_by": ["$.host"], "allowed_lateness_seconds": 0}, "targets": []}"#
        )
        #expect(heartbeat.absence?.withinSeconds == 300 && heartbeat.absence?.groupBy.map(\.description) == ["$.host"])
        func beat(_ host: String, minute: Int) -> String {
            #"{"type": "heartbeat", "host": "\#(host)", "time": "2026-11-25T10:\#(String(format: "%02d", minute)):00Z"}"#
        }
        let other = #"{"type": "other", "time": "2026-11-25T10:20:00Z"}"#
        // web-1 beats every 4 minutes; db-1 stops after minute 2, so it is overdue from 10:07 on: the
        // time of the fifth event (10:08) raises its absence.
        let events =
            [beat("db-1", minute: 0), beat("web-1", minute: 0), beat("db-1", minute: 2), beat("web-1", minute: 4)]
            + [beat("web-1", minute: 8), beat("web-1", minute: 12), beat("web-1", minute: 16), other]
        let found = try alerts([heartbeat], events)
        #expect(found == ["heartbeat/absence/db-1"], "the end of the input is no silence: web-1 raises nothing")
        // A restart that replays the first four events silently raises it all the same; one that
        // replays the fifth (which recorded it) does not raise it again.
        #expect(try alerts([heartbeat], events, replayThrough: 4) == found)
        #expect(try alerts([heartbeat], events, replayThrough: 5).isEmpty)
    }

    @Test(arguments: [
        (
            #""first_seen": {"value": "$.country"}"#,
            ["$.first_seen.learning_seconds: is required (for example 604800)"]
        ),
        (
            #""first_seen": {"value": "country", "learning_seconds": 60, "max_values_per_key": 0}"#,
            [
                "$.first_seen.value: must be a JSON path such as \"$.data.ip\" or \"$.data.items[0]\"",
                "$.first_seen.max_values_per_key: must be an integer from 1 to 10000",
            ]
        ),
        (
            #""absence": {"within": 60}"#,
            [
                "$.absence.within_seconds: is required (for example 900)",
                "$.absence.within: unknown key; known keys here are allowed_lateness_seconds, group_by, within_seconds",
            ]
        ),
        (
            #""impossible_travel": {"user": "$.user", "max_speed_kmh": 0}"#,
            ["$.impossible_travel.max_speed_kmh: must be an integer from 1 to 100000"]
        ),
        (
            #""impossible_travel": {"max_speed_kmh": 900}"#,
            ["$.impossible_travel.user: is required (for example \"$.ocsf.actor.user.name\")"]
        ),
        (
            #""threshold": {"count": 5, "within_seconds": 60}, "absence": {"within_seconds": 60}"#,
            ["$.absence: a rule declares at most one of threshold, first_seen, absence, impossible_travel; split it"]
        ),
    ])
    func badDetectionsAreLocated(members: String, expected: [String]) {
        let found = diagnostics(#"{"pattern": {"type": ["t"]}, \#(members), "targets": []}"#)
        #expect(found.sorted() == expected.sorted())
    }

    @Test func nativeDetectionsRouteTheirAlertsNotTheirMatches() throws {
        let soc = try TargetDefinition(
            name: "soc",
            json: JSONParser().parse(#"{"kind": "blocklist", "ip_path": "$.ip"}"#)
        )
        let table = try RoutingTable(rules: [try rule("new-country", Self.newCountry)], targets: [soc])
        let event = try JSONParser().parse(Self.login("alice", "FR", minute: 0))
        #expect(table.routes(for: event, context: MatchContext()).isEmpty)
        #expect(table.alertRoutes(rule: "new-country").map(\.target) == ["soc"])
        #expect(table.detections.sources.map(\.kind.rawValue) == ["first_seen"])
        #expect(table.detections.sources.first?.level == .high)
    }
}
