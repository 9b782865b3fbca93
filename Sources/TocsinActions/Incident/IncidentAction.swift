// SPDX-License-Identifier: Apache-2.0

public import TocsinConfig
public import TocsinCore
public import TocsinResponse

/// `kind: incident`: raises an alert; the incident projection groups it with every other alert of
/// its key, so targets and detections feed one incident model.
public struct IncidentAction: Action, Hashable {
    /// `incident`.
    public static let kindName = "incident"
    /// The grouping key's place in the event; events with the same key update one incident.
    public var keyPath: JSONPath
    /// The incident title's place in the event (default: the rule name and the event type).
    public var titlePath: JSONPath?
    /// The level of the alerts it raises (default `high`).
    public var severity: Alert.Level

    /// Creates the settings.
    public init(keyPath: JSONPath, titlePath: JSONPath? = nil, severity: Alert.Level = .high) {
        self.keyPath = keyPath
        self.titlePath = titlePath
        self.severity = severity
    }

    /// Reads `key_path`, `title_path` and `severity`.
    public static func read(_ reader: inout ObjectReader) -> IncidentAction? {
        let key = reader.jsonPath("key_path", required: true)
        let title = reader.jsonPath("title_path")
        let severityName = reader.string("severity") ?? Alert.Level.high.rawValue
        let severity = Alert.Level(rawValue: severityName)
        if severity == nil {
            reader.report("severity", "must be one of \(Alert.Level.names)")
        }
        return key.map { IncidentAction(keyPath: $0, titlePath: title, severity: severity ?? .high) }
    }

    /// The paths and the severity.
    public func redactedMembers(_ redactor: SecretRedactor) -> [JSONObject.Member] {
        var members: [JSONObject.Member] = [.init(name: "key_path", value: .string(keyPath.description))]
        if let titlePath {
            members.append(.init(name: "title_path", value: .string(titlePath.description)))
        }
        members.append(.init(name: "severity", value: .string(severity.rawValue)))
        return members
    }

    /// Raises the alert.
    public func perform(_ request: ActionRequest, context: any ActionContext) async -> ActionResult {
        let routed = Alert.RoutedEvent(
            document: request.logged.matchDocument,
            sequence: request.delivery.eventSequence,
            milliseconds: request.eventMilliseconds,
            rule: request.delivery.rule,
            target: request.target.name,
            keyPath: keyPath,
            titlePath: titlePath,
            level: severity
        )
        let alert: Alert
        switch Alert.routed(routed) {
        case .success(let raised): alert = raised
        case .failure(let failure): return ActionResult(.failed(failure))
        }
        do {
            let raised = try await context.raise(alert)
            return ActionResult(
                .succeeded(status: nil),
                detail: JSONValue.members([
                    ("alert", .string(raised.id)),
                    ("alert_seq", .number(JSONNumber(raised.sequence))),
                ])
            )
        } catch {
            return .failed(.transport, "the alert could not be appended to the log (\(type(of: error)))")
        }
    }
}
