// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// The request bodies of the HTTP target formats.
///
/// Without an input transformation a `webhook` receives the event's structured CloudEvents JSON;
/// with one, the transformed input. `slack`, `pagerduty` and `jira` build their service's shape
/// around a one-line summary of the event; an input transformation replaces that body entirely.
public enum WebhookPayload: Sendable {
    /// What the payload builder needs to know about a delivery.
    public struct Context: Sendable {
        /// The event's structured CloudEvents JSON.
        public var event: JSONValue
        /// The event's sequence number in the log.
        public var eventSequence: Int64
        /// The rule that matched.
        public var rule: String
        /// The delivery's stable idempotency key.
        public var idempotencyKey: String

        /// Creates a context.
        public init(event: JSONValue, eventSequence: Int64, rule: String, idempotencyKey: String) {
            self.event = event
            self.eventSequence = eventSequence
            self.rule = rule
            self.idempotencyKey = idempotencyKey
        }
    }

    /// The body for `format`.
    ///
    /// - Parameters:
    ///   - format: `webhook`, `slack`, `pagerduty` or `jira`.
    ///   - context: The event and the delivery.
    ///   - transformed: The rule's transformed input; when set it is the whole body.
    ///   - routingKey: PagerDuty's integration key.
    ///   - project: Jira's project key.
    ///   - issueType: Jira's issue type.
    ///   - severity: PagerDuty's severity.
    /// - Returns: The request body.
    public static func body(
        format: String,
        context: Context,
        transformed: [UInt8]?,
        routingKey: String? = nil,
        project: String? = nil,
        issueType: String = "Task",
        severity: String = "error"
    ) -> [UInt8] {
        if let transformed {
            return transformed
        }
        let summary = summary(context)
        let document: JSONValue
        switch format {
        case "slack":
            document = object([("text", .string(summary))])
        case "pagerduty":
            document = object([
                ("routing_key", .string(routingKey ?? "")),
                ("event_action", .string("trigger")),
                ("dedup_key", .string(context.idempotencyKey)),
                (
                    "payload",
                    object([
                        ("summary", .string(String(summary.prefix(1024)))),
                        ("source", .string(context.event["source"]?.stringValue ?? "tocsin")),
                        ("severity", .string(severity)),
                        ("custom_details", context.event),
                    ])
                ),
            ])
        case "jira":
            document = object([
                (
                    "fields",
                    object([
                        ("project", object([("key", .string(project ?? ""))])),
                        ("summary", .string(String(summary.prefix(255)))),
                        (
                            "description",
                            .string(
                                "Raised by Tocsin rule \(context.rule) for event \(context.eventSequence).\n\n\(JSONWriter().string(context.event))"
                            )
                        ),
                        ("issuetype", object([("name", .string(issueType))])),
                        ("labels", .array([.string("tocsin"), .string(context.rule)])),
                    ])
                )
            ])
        default:
            document = context.event
        }
        return JSONWriter().bytes(document)
    }

    /// `[rule] type from source (subject)`: names attributes, never payload values.
    public static func summary(_ context: Context) -> String {
        var text = "[\(context.rule)] \(context.event["type"]?.stringValue ?? "event")"
        if let source = context.event["source"]?.stringValue {
            text += " from \(source)"
        }
        if let subject = context.event["subject"]?.stringValue {
            text += " (\(subject))"
        }
        return text + " — event \(context.eventSequence)"
    }

    private static func object(_ members: [(String, JSONValue)]) -> JSONValue {
        .object(JSONObject(members.map { JSONObject.Member(name: $0.0, value: $0.1) }))
    }
}
