// SPDX-License-Identifier: Apache-2.0

public import TocsinConfig
public import TocsinCore
import TocsinResponse

/// `kind: webhook`: an HTTP POST of the event's structured CloudEvents JSON (or the rule's
/// transformed input), signed with `Tocsin-Signature` when a signing secret is set.
public struct WebhookAction: Action, Hashable {
    /// `webhook`.
    public static let kindName = "webhook"
    /// The receiver.
    public var endpoint: HTTPEndpoint
    /// The HMAC key of the `Tocsin-Signature` header (`secret` in the definition).
    public var signingSecret: String?

    /// Creates the settings.
    public init(endpoint: HTTPEndpoint, signingSecret: String? = nil) {
        self.endpoint = endpoint
        self.signingSecret = signingSecret
    }

    /// Reads `url`, `headers`, `allow_private_network` and `secret`.
    public static func read(_ reader: inout ObjectReader) -> WebhookAction? {
        let endpoint = HTTPEndpoint.read(&reader)
        let secret = reader.string("secret")
        if let secret, PlaceholderSecret.isPlaceholder(secret) {
            reader.report("secret", PlaceholderSecret.problem("secret"))
        }
        return endpoint.map { WebhookAction(endpoint: $0, signingSecret: secret) }
    }

    /// The endpoint, and the signing secret as a fingerprint.
    public func redactedMembers(_ redactor: SecretRedactor) -> [JSONObject.Member] {
        var members = endpoint.redactedMembers(redactor)
        if let signingSecret {
            members.append(.init(name: "secret", value: .string(redactor.fingerprint(signingSecret))))
        }
        return members
    }

    /// POSTs the event (or the transformed input), signed when a secret is set.
    public func perform(_ request: ActionRequest, context: any ActionContext) async -> ActionResult {
        let body = request.transformed ?? request.eventBytes
        var extra: [OutboundRequest.Header] = []
        if let signingSecret {
            let timestamp = context.now.millisecondsSinceEpoch / 1000
            extra.append(
                .init(
                    "Tocsin-Signature",
                    WebhookSignature.header(secret: signingSecret, timestamp: timestamp, body: body)
                )
            )
        }
        let outcome = await context.post(endpoint.request(body: body, request: request, extra: extra))
        return ActionResult(endpoint.naming(outcome))
    }
}
