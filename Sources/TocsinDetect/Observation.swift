// SPDX-License-Identifier: Apache-2.0

/// A rule of a `DetectionEngine`, resolved once from its id (`DetectionEngine.handle(for:)`).
public struct RuleHandle: Sendable, Hashable, Codable {
    /// The rule's position in the engine's rule list.
    public let index: Int

    init(index: Int) {
        self.index = index
    }
}

/// One input to a stateful detection: an event (or a chained alert) that matched, as the caller extracted it.
///
/// The caller matches events, extracts the group-by values and the counted value, and hands them over; the
/// engine never reads events.
public struct Observation: Sendable, Hashable {
    /// The detection rule it feeds.
    public var rule: RuleHandle
    /// For temporal rules, the position in the rule's `rules` list of the rule that matched (any position
    /// holding that name); 0 otherwise.
    public var referencedRule: Int
    /// The event's sequence number in the log (for a chained alert, the last evidence sequence number).
    public var sequence: Int64
    /// The event time in milliseconds since the Unix epoch.
    public var eventTime: Int64
    /// The group-by values as strings, in the rule's group-by order; `[]` for a rule without group-by.
    public var group: [String]
    /// The counted field's value (value count), or the value to learn (first-seen); nil otherwise.
    public var value: String?
    /// Where the event happened (impossible travel); nil otherwise.
    public var location: GeoPoint?

    /// Creates an observation.
    ///
    /// - Parameters:
    ///   - rule: The detection rule it feeds.
    ///   - referencedRule: For temporal rules, the position of the matched rule in the rule's list.
    ///   - sequence: The event's log sequence number.
    ///   - eventTime: The event time in milliseconds.
    ///   - group: The group-by values in order.
    ///   - value: The counted or learned value.
    ///   - location: The event's coordinates.
    public init(
        rule: RuleHandle,
        referencedRule: Int = 0,
        sequence: Int64,
        eventTime: Int64,
        group: [String],
        value: String? = nil,
        location: GeoPoint? = nil
    ) {
        self.rule = rule
        self.referencedRule = referencedRule
        self.sequence = sequence
        self.eventTime = eventTime
        self.group = group
        self.value = value
        self.location = location
    }

    /// An alert of one correlation as an input of another (chaining): it counts at the alert's time, with its
    /// last evidence sequence number.
    ///
    /// - Parameters:
    ///   - alert: The child correlation's alert.
    ///   - rule: The parent rule.
    ///   - referencedRule: For a temporal parent, the child's position in its list.
    ///   - group: The parent's group-by values (the parent's group-by applies, not the child's).
    public init(chaining alert: Alert, into rule: RuleHandle, referencedRule: Int = 0, group: [String]) {
        self.init(
            rule: rule,
            referencedRule: referencedRule,
            sequence: alert.evidence.last ?? 0,
            eventTime: alert.time,
            group: group
        )
    }
}

/// A point on Earth in degrees (WGS 84, as GeoIP databases give it).
public struct GeoPoint: Sendable, Hashable, Codable {
    /// Degrees north (negative south), -90...90.
    public var latitude: Double
    /// Degrees east (negative west), -180...180.
    public var longitude: Double

    /// Creates a point.
    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }

    /// The mean Earth radius used for distances, in kilometres.
    public static let earthRadiusKilometres = 6371.0088

    /// Whether both coordinates are finite and in range.
    public var isValid: Bool {
        latitude.isFinite && longitude.isFinite && abs(latitude) <= 90 && abs(longitude) <= 180
    }
}
