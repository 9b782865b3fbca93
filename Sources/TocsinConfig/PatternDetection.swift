// SPDX-License-Identifier: Apache-2.0

import TocsinCore
import TocsinDetect
import TocsinResponse

/// A pattern rule's detection (`threshold`, `first_seen`, `absence` or `impossible_travel`)
/// compiled: its engine rule, what its alerts say, and what a matching event brings to it.
struct PatternDetection: Sendable {
    /// The engine rule.
    let rule: DetectionRule
    /// What the rule's alerts say.
    let source: DetectionTable.Source
    /// The paths of the group values.
    let group: [JSONPath]
    /// The path of the learned value (first-seen).
    let value: JSONPath?
    /// The path of the location object (impossible travel).
    let location: JSONPath?

    /// The detection of `definition`, or nil when it declares none.
    init?(_ definition: RuleDefinition) {
        let name = definition.name
        let kind: TocsinResponse.Alert.Kind
        var value: JSONPath?
        var location: JSONPath?
        if let threshold = definition.threshold {
            rule = .threshold(
                id: name,
                count: threshold.count,
                withinSeconds: threshold.withinSeconds,
                allowedLateness: threshold.allowedLatenessSeconds * 1000
            )
            kind = .threshold
            group = threshold.groupBy
        } else if let firstSeen = definition.firstSeen {
            rule = DetectionRule(
                id: name,
                kind: .firstSeen(
                    learning: firstSeen.learningSeconds * 1000,
                    maximumValuesPerGroup: firstSeen.maximumValuesPerKey,
                    alertsOnNewGroup: firstSeen.alertsOnNewKey
                ),
                allowedLateness: firstSeen.allowedLatenessSeconds * 1000
            )
            kind = .firstSeen
            group = firstSeen.key
            value = firstSeen.value
        } else if let absence = definition.absence {
            rule = DetectionRule(
                id: name,
                kind: .absence(after: absence.withinSeconds * 1000),
                allowedLateness: absence.allowedLatenessSeconds * 1000
            )
            kind = .absence
            group = absence.groupBy
        } else if let travel = definition.impossibleTravel {
            rule = DetectionRule(
                id: name,
                kind: .impossibleTravel(
                    maximumKilometresPerHour: Double(travel.maximumKilometresPerHour),
                    minimumKilometres: Double(travel.minimumKilometres)
                ),
                allowedLateness: travel.allowedLatenessSeconds * 1000
            )
            kind = .impossibleTravel
            group = [travel.user]
            location = travel.location
        } else {
            return nil
        }
        self.value = value
        self.location = location
        source = DetectionTable.Source(
            name: name,
            title: definition.description ?? name,
            level: definition.level,
            kind: kind,
            groupFields: group.map(\.description),
            staged: definition.staged
        )
    }

    /// What `document` brings to engine rule `index`: nil when a group value, the learned value or
    /// the location is missing (such an event is not counted).
    func match(_ document: JSONValue, rule index: Int) -> DetectionTable.Match? {
        let values = group.compactMap { $0.evaluate(document).flatMap(DetectionTable.groupText) }
        guard values.count == group.count else {
            return nil
        }
        var match = DetectionTable.Match(rule: index, group: values)
        if let value {
            guard let text = value.evaluate(document).flatMap(DetectionTable.groupText) else {
                return nil
            }
            match.value = text
        }
        if let location {
            guard let point = location.evaluate(document).flatMap(Self.point) else {
                return nil
            }
            match.location = point
        }
        return match
    }

    /// The coordinates of an OCSF location object (`lat`, `long`), when both are valid numbers.
    static func point(_ location: JSONValue) -> GeoPoint? {
        guard case .number(let latitude)? = location["lat"], case .number(let longitude)? = location["long"],
            let latitude = latitude.doubleValue, let longitude = longitude.doubleValue
        else {
            return nil
        }
        let point = GeoPoint(latitude: latitude, longitude: longitude)
        return point.isValid ? point : nil
    }
}
