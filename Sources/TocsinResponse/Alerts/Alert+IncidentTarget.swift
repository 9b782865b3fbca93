// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

extension Alert {
    /// What the `incident` target was given: one routed event and the target's settings.
    public struct RoutedEvent: Sendable, Hashable {
        /// The event as patterns see it (the CloudEvent JSON, with `ocsf` for native records).
        public var document: JSONValue
        /// The event's sequence number in the log.
        public var sequence: Int64
        /// The event's time, or its ingest time when it has none (milliseconds since the epoch).
        public var milliseconds: Int64
        /// The rule that routed it.
        public var rule: String
        /// The `incident` target's name.
        public var target: String
        /// Where the grouping key is in the event.
        public var keyPath: JSONPath
        /// Where the title is in the event, if the target says.
        public var titlePath: JSONPath?
        /// The level of the alert.
        public var level: Level

        /// Creates one.
        public init(
            document: JSONValue,
            sequence: Int64,
            milliseconds: Int64,
            rule: String,
            target: String,
            keyPath: JSONPath,
            titlePath: JSONPath?,
            level: Level
        ) {
            self.document = document
            self.sequence = sequence
            self.milliseconds = milliseconds
            self.rule = rule
            self.target = target
            self.keyPath = keyPath
            self.titlePath = titlePath
            self.level = level
        }
    }

    /// The alert the `incident` target raises for one routed event, so the target feeds the same
    /// incident model as every detection: incident key = the value at the key path.
    ///
    /// Its identity is the event, rule and target, so a retried or redriven delivery raises the same
    /// alert again, which the log keeps once.
    ///
    /// - Returns: The alert, or the failure to record for the delivery: Tocsin's own alert and
    ///   incident events are grouped already (routing one back into an incident would loop), and an
    ///   event without a value at the key path has nothing to group by.
    public static func routed(_ routed: RoutedEvent) -> Result<Alert, AttemptFailure> {
        let type = routed.document["type"]?.stringValue ?? ""
        if type.hasPrefix("tocsin.alert.") || type.hasPrefix("tocsin.incident.") {
            return .failure(
                AttemptFailure(
                    kind: .rejected,
                    message: "alert and incident events are grouped into incidents already; "
                        + "route the events that raised them to the incident target instead"
                )
            )
        }
        guard let value = routed.keyPath.evaluate(routed.document), value != .null else {
            return .failure(AttemptFailure(kind: .rejected, message: "no grouping key at the key path"))
        }
        let title =
            routed.titlePath.flatMap { $0.evaluate(routed.document)?.stringValue }
            ?? "\(routed.rule): \(type.isEmpty ? "event" : type)"
        return .success(
            Alert(
                rule: routed.rule,
                title: title,
                level: routed.level,
                kind: .pattern,
                evidence: [routed.sequence],
                group: [GroupValue(field: routed.keyPath.description, value: value)],
                firstEventMilliseconds: routed.milliseconds,
                lastEventMilliseconds: routed.milliseconds,
                incidentKey: value.stringValue ?? JSONWriter().string(value),
                identity: "incident-target/\(routed.target)/\(routed.sequence)"
            )
        )
    }
}
