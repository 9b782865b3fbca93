// SPDX-License-Identifier: Apache-2.0

public import TocsinConfig
public import TocsinCore
import TocsinResponse

/// `kind: pagerduty`: a PagerDuty Events API v2 `trigger`, deduplicated by the delivery's
/// idempotency key.
///
/// The routing key is the credential and is shown only as a fingerprint. The summary is one line of
/// plain text (control characters replaced), at most 1,024 characters as the API requires.
public struct PagerDutyAction: Action, Hashable {
    /// `pagerduty`.
    public static let kindName = "pagerduty"
    /// The Events API URL used when none is given.
    public static let defaultURL = "https://events.pagerduty.com/v2/enqueue"
    /// The severities PagerDuty accepts.
    public static let severities = ["critical", "error", "warning", "info"]
    /// The Events API endpoint.
    public var endpoint: HTTPEndpoint
    /// The integration's routing key.
    public var routingKey: String
    /// The alert's severity (default `error`).
    public var severity: String

    /// Creates the settings.
    public init(endpoint: HTTPEndpoint, routingKey: String, severity: String = "error") {
        self.endpoint = endpoint
        self.routingKey = routingKey
        self.severity = severity
    }

    /// Reads `url` (optional), `headers`, `allow_private_network`, `routing_key` and `severity`.
    public static func read(_ reader: inout ObjectReader) -> PagerDutyAction? {
        let endpoint = HTTPEndpoint.read(&reader, defaultURL: defaultURL)
        if reader.value("secret") != nil {
            reader.report("secret", "renamed to routing_key (the integration's routing key)")
        }
        let routingKey = reader.string("routing_key", required: true)
        if let routingKey, PlaceholderSecret.isPlaceholder(routingKey) {
            reader.report("routing_key", PlaceholderSecret.problem("routing_key"))
        }
        let severity = reader.string("severity") ?? "error"
        if !severities.contains(severity) {
            reader.report("severity", "must be critical, error, warning or info")
        }
        guard let endpoint, let routingKey else {
            return nil
        }
        return PagerDutyAction(endpoint: endpoint, routingKey: routingKey, severity: severity)
    }

    /// The endpoint, the routing key's fingerprint and the severity.
    public func redactedMembers(_ redactor: SecretRedactor) -> [JSONObject.Member] {
        endpoint.redactedMembers(redactor) + [
            .init(name: "routing_key", value: .string(redactor.fingerprint(routingKey))),
            .init(name: "severity", value: .string(severity)),
        ]
    }

    /// The Events API body, or the rule's transformed input.
    public func body(_ request: ActionRequest) -> [UInt8] {
        if let transformed = request.transformed {
            return transformed
        }
        let summary = Markup.plainLine(EventSummary.text(request))
        let document = JSONValue.members([
            ("routing_key", .string(routingKey)),
            ("event_action", .string("trigger")),
            ("dedup_key", .string(request.delivery.idempotencyKey)),
            (
                "payload",
                JSONValue.members([
                    ("summary", .string(String(summary.prefix(1024)))),
                    ("source", .string(Markup.plainLine(request.event["source"]?.stringValue ?? "tocsin"))),
                    ("severity", .string(severity)),
                    ("custom_details", request.event),
                ])
            ),
        ])
        return JSONWriter().bytes(document)
    }

    /// POSTs the trigger.
    public func perform(_ request: ActionRequest, context: any ActionContext) async -> ActionResult {
        let outcome = await context.post(endpoint.request(body: body(request), request: request))
        return ActionResult(endpoint.naming(outcome))
    }
}
