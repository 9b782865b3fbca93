// SPDX-License-Identifier: Apache-2.0

public import TocsinConfig
public import TocsinCore
import TocsinResponse

/// `kind: slack`: a Slack incoming-webhook message built around the event's one-line summary.
///
/// The webhook URL is the credential: the API and the log show only its origin and fingerprint.
/// Event text is escaped for mrkdwn, so an event cannot mention a channel or forge a link.
public struct SlackAction: Action, Hashable {
    /// `slack`.
    public static let kindName = "slack"
    /// The incoming-webhook URL and headers.
    public var endpoint: HTTPEndpoint

    /// Creates the settings.
    public init(endpoint: HTTPEndpoint) {
        self.endpoint = endpoint
    }

    /// Reads `url`, `headers` and `allow_private_network`.
    public static func read(_ reader: inout ObjectReader) -> SlackAction? {
        HTTPEndpoint.read(&reader).map { SlackAction(endpoint: $0) }
    }

    /// The endpoint, with the URL redacted.
    public func redactedMembers(_ redactor: SecretRedactor) -> [JSONObject.Member] {
        endpoint.redactedMembers(redactor)
    }

    /// The message body: the rule's transformed input, or `{"text": summary}` with the summary
    /// escaped for mrkdwn.
    public func body(_ request: ActionRequest) -> [UInt8] {
        if let transformed = request.transformed {
            return transformed
        }
        return JSONWriter().bytes(JSONValue.members([("text", .string(Markup.slack(EventSummary.text(request))))]))
    }

    /// POSTs the message.
    public func perform(_ request: ActionRequest, context: any ActionContext) async -> ActionResult {
        let outcome = await context.post(endpoint.request(body: body(request), request: request))
        return ActionResult(endpoint.naming(outcome))
    }
}
