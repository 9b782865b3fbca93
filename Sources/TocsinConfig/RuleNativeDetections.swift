// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// A pattern rule's `first_seen`: after a learning period, a value never seen before for its key
/// (a new country for a user) raises an alert.
///
/// ```yaml
/// first_seen: {key: [$.ocsf.actor.user.name], value: $.ocsf.src_endpoint.location.country, learning_seconds: 604800}
/// ```
public struct RuleFirstSeen: Sendable, Hashable {
    /// The longest learning period, in seconds (365 days).
    public static let maximumLearningSeconds: Int64 = 365 * 86_400
    /// The most values remembered per key.
    public static let maximumValuesLimit: Int64 = 10_000

    /// The paths whose values make up the key (no paths: one key for all events).
    public var key: [JSONPath]
    /// The path of the value learned per key.
    public var value: JSONPath
    /// The learning period, in seconds of event time after the rule's first event.
    public var learningSeconds: Int64
    /// The most values remembered per key (the least recently seen is forgotten first).
    public var maximumValuesPerKey: Int
    /// Whether a key first seen after learning alerts on its first value.
    public var alertsOnNewKey: Bool
    /// How far, in seconds, an event may lag the newest event time and still count.
    public var allowedLatenessSeconds: Int64

    /// Reads `first_seen`, adding a diagnostic for each problem.
    init?(_ json: JSONValue, path: String, diagnostics: inout [ConfigDiagnostic]) {
        guard var reader = ObjectReader(json, path: path, diagnostics: &diagnostics) else {
            return nil
        }
        reader.require([("value", "\"$.ocsf.src_endpoint.location.country\""), ("learning_seconds", "604800")])
        key = reader.jsonPaths("key")
        let value = reader.jsonPath("value")
        learningSeconds = reader.integer("learning_seconds", default: 0, range: 0...Self.maximumLearningSeconds)
        maximumValuesPerKey = Int(
            reader.integer("max_values_per_key", default: 1000, range: 1...Self.maximumValuesLimit)
        )
        alertsOnNewKey = reader.bool("alert_on_new_key", default: false)
        allowedLatenessSeconds = reader.lateness()
        reader.rejectUnknown()
        diagnostics += reader.diagnostics
        guard reader.diagnostics.isEmpty, let value else {
            return nil
        }
        self.value = value
    }

    /// The definition as JSON, for the API and the log.
    public var json: JSONValue {
        .object(
            JSONObject([
                .init(name: "key", value: .array(key.map { .string($0.description) })),
                .init(name: "value", value: .string(value.description)),
                .init(name: "learning_seconds", value: .number(JSONNumber(learningSeconds))),
                .init(name: "max_values_per_key", value: .number(JSONNumber(Int64(maximumValuesPerKey)))),
                .init(name: "alert_on_new_key", value: .bool(alertsOnNewKey)),
                .init(name: "allowed_lateness_seconds", value: .number(JSONNumber(allowedLatenessSeconds))),
            ])
        )
    }
}

/// A pattern rule's `absence`: the rule's events are expected; a group (or the whole stream) seen
/// once that shows no new event within `within_seconds` raises an alert.
///
/// ```yaml
/// absence: {within_seconds: 900, group_by: [$.source]}
/// ```
///
/// Time passes on event time: the rule's own events move it, and so does every other event the
/// detection service reads (by its ingest time), so a stream that falls silent while others flow
/// raises its alert.
public struct RuleAbsence: Sendable, Hashable {
    /// The silence that raises an alert, in seconds of event time.
    public var withinSeconds: Int64
    /// The paths whose values make up the group (no paths: one group for all events).
    public var groupBy: [JSONPath]
    /// How far, in seconds, an event may lag the newest time and still count.
    public var allowedLatenessSeconds: Int64

    /// Reads `absence`, adding a diagnostic for each problem.
    init?(_ json: JSONValue, path: String, diagnostics: inout [ConfigDiagnostic]) {
        guard var reader = ObjectReader(json, path: path, diagnostics: &diagnostics) else {
            return nil
        }
        reader.require([("within_seconds", "900")])
        withinSeconds = reader.integer("within_seconds", default: 0, range: 1...RuleThreshold.maximumWindowSeconds)
        groupBy = reader.jsonPaths("group_by")
        allowedLatenessSeconds = reader.lateness()
        reader.rejectUnknown()
        diagnostics += reader.diagnostics
        guard reader.diagnostics.isEmpty else {
            return nil
        }
    }

    /// The definition as JSON, for the API and the log.
    public var json: JSONValue {
        .object(
            JSONObject([
                .init(name: "within_seconds", value: .number(JSONNumber(withinSeconds))),
                .init(name: "group_by", value: .array(groupBy.map { .string($0.description) })),
                .init(name: "allowed_lateness_seconds", value: .number(JSONNumber(allowedLatenessSeconds))),
            ])
        )
    }
}

/// A pattern rule's `impossible_travel`: two events of one user whose locations are farther apart
/// than `max_speed_kmh` allows for the time between them.
///
/// ```yaml
/// impossible_travel: {user: $.ocsf.actor.user.name, max_speed_kmh: 900}
/// ```
///
/// The location is an OCSF location object with `lat` and `long` (what GeoIP enrichment adds to
/// `$.ocsf.src_endpoint.location`, the default); an event without one is not counted.
public struct RuleImpossibleTravel: Sendable, Hashable {
    /// The location path when the rule gives none.
    public static let defaultLocation = "$.ocsf.src_endpoint.location"

    /// The path of the user, the group compared.
    public var user: JSONPath
    /// The path of the location object.
    public var location: JSONPath
    /// The highest plausible speed, in km/h.
    public var maximumKilometresPerHour: Int64
    /// Pairs closer than this are ignored (GeoIP noise), in kilometres.
    public var minimumKilometres: Int64
    /// How far, in seconds, an event may lag the newest event time and still count.
    public var allowedLatenessSeconds: Int64

    /// Reads `impossible_travel`, adding a diagnostic for each problem.
    init?(_ json: JSONValue, path: String, diagnostics: inout [ConfigDiagnostic]) {
        guard var reader = ObjectReader(json, path: path, diagnostics: &diagnostics) else {
            return nil
        }
        reader.require([("user", "\"$.ocsf.actor.user.name\""), ("max_speed_kmh", "900")])
        let user = reader.jsonPath("user")
        let location = reader.jsonPath("location") ?? JSONPath(Self.defaultLocation)
        maximumKilometresPerHour = reader.integer("max_speed_kmh", default: 900, range: 1...100_000)
        minimumKilometres = reader.integer("min_distance_km", default: 100, range: 0...20_000)
        allowedLatenessSeconds = reader.lateness()
        reader.rejectUnknown()
        diagnostics += reader.diagnostics
        guard reader.diagnostics.isEmpty, let user, let location else {
            return nil
        }
        self.user = user
        self.location = location
    }

    /// The definition as JSON, for the API and the log.
    public var json: JSONValue {
        .object(
            JSONObject([
                .init(name: "user", value: .string(user.description)),
                .init(name: "location", value: .string(location.description)),
                .init(name: "max_speed_kmh", value: .number(JSONNumber(maximumKilometresPerHour))),
                .init(name: "min_distance_km", value: .number(JSONNumber(minimumKilometres))),
                .init(name: "allowed_lateness_seconds", value: .number(JSONNumber(allowedLatenessSeconds))),
            ])
        )
    }
}

extension ObjectReader {
    /// `allowed_lateness_seconds`, default 60.
    mutating func lateness() -> Int64 {
        integer(
            "allowed_lateness_seconds",
            default: RuleThreshold.defaultLatenessSeconds,
            range: 0...RuleThreshold.maximumWindowSeconds
        )
    }
}
