// SPDX-License-Identifier: Apache-2.0

public import TocsinConfig
public import TocsinCore
import TocsinResponse

/// Where a webhook-style target posts: the URL, extra headers and the outbound network policy,
/// read and redacted the same way by every HTTP kind.
public struct HTTPEndpoint: Sendable, Hashable {
    /// The receiver's URL.
    public var url: String
    /// Extra request headers (authorisation for Jira, for example), by name.
    public var headers: [String: String]
    /// Whether the target may reach loopback, link-local, private and unique-local addresses.
    public var allowPrivateNetwork: Bool

    /// Creates an endpoint.
    public init(url: String, headers: [String: String] = [:], allowPrivateNetwork: Bool = false) {
        self.url = url
        self.headers = headers
        self.allowPrivateNetwork = allowPrivateNetwork
    }

    /// Reads `url`, `headers` and `allow_private_network`.
    ///
    /// - Parameters:
    ///   - reader: The definition.
    ///   - defaultURL: The URL when none is given; `nil` makes `url` required.
    /// - Returns: The endpoint, or `nil` when the URL is missing.
    public static func read(_ reader: inout ObjectReader, defaultURL: String? = nil) -> HTTPEndpoint? {
        let url = reader.string("url", required: defaultURL == nil) ?? defaultURL
        if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            reader.report("url", "must be an http:// or https:// URL")
        }
        var headers: [String: String] = [:]
        if let value = reader.value("headers") {
            if case .object(let object) = value {
                for member in object.members {
                    if case .string(let text) = member.value {
                        headers[member.name] = text
                    } else {
                        reader.report("headers.\(member.name)", "must be a string")
                    }
                }
            } else {
                reader.report("headers", "must be an object of header names to values")
            }
        }
        let allowPrivate = reader.bool("allow_private_network", default: false)
        return url.map { HTTPEndpoint(url: $0, headers: headers, allowPrivateNetwork: allowPrivate) }
    }

    /// `url` (origin only) and its fingerprint, header names with their values' fingerprints, and
    /// `allow_private_network`.
    public func redactedMembers(_ redactor: SecretRedactor) -> [JSONObject.Member] {
        var members = redactor.urlMembers(url)
        if !headers.isEmpty {
            let shown = headers.keys.sorted().map { name in
                JSONObject.Member(name: name, value: .string(redactor.fingerprint(headers[name] ?? "")))
            }
            members.append(.init(name: "headers", value: .object(JSONObject(shown))))
        }
        members.append(.init(name: "allow_private_network", value: .bool(allowPrivateNetwork)))
        return members
    }

    /// The request for one attempt: the configured headers, then the delivery headers and `extra`.
    ///
    /// The delivery headers are `Idempotency-Key`, `Tocsin-Event-Sequence`, `Tocsin-Rule`, and
    /// `Tocsin-Replay` (the replay's id) for a replay's delivery.
    public func request(
        body: [UInt8],
        request: ActionRequest,
        extra: [OutboundRequest.Header] = []
    ) -> OutboundRequest {
        var headers = self.headers.sorted { $0.key < $1.key }.map { OutboundRequest.Header($0.key, $0.value) }
        headers.append(.init("Idempotency-Key", request.delivery.idempotencyKey))
        headers.append(.init("Tocsin-Event-Sequence", String(request.delivery.eventSequence)))
        headers.append(.init("Tocsin-Rule", request.delivery.rule))
        if let replay = request.delivery.replay {
            headers.append(.init("Tocsin-Replay", String(replay.id)))
        }
        return OutboundRequest(
            url: url,
            headers: headers + extra,
            body: body,
            timeoutMilliseconds: request.target.timeoutMilliseconds,
            allowPrivateNetwork: allowPrivateNetwork
        )
    }

    /// The URL's `scheme://host[:port]`, for messages (never the path or query, which may hold a
    /// token).
    public var origin: String {
        SecretRedactor.origin(of: url)
    }

    /// `outcome` with the receiver's origin prefixed to a failure's message, so every delivery
    /// error names the host it concerns.
    func naming(_ outcome: AttemptOutcome) -> AttemptOutcome {
        guard case .failed(var failure) = outcome else {
            return outcome
        }
        failure.message = "\(origin): \(failure.message)"
        return .failed(failure)
    }
}

/// The one-line summary the chat and ticket kinds build their messages around.
enum EventSummary {
    /// `[rule] type from source (subject) — event N`, and `(replay R)` for a replay's delivery:
    /// names attributes, never payload values.
    static func text(_ request: ActionRequest) -> String {
        let event = request.event
        var text = "[\(request.delivery.rule)] \(event["type"]?.stringValue ?? "event")"
        if let source = event["source"]?.stringValue {
            text += " from \(source)"
        }
        if let subject = event["subject"]?.stringValue {
            text += " (\(subject))"
        }
        text += " — event \(request.delivery.eventSequence)"
        if let replay = request.delivery.replay {
            text += " (replay \(replay.id))"
        }
        return text
    }
}
