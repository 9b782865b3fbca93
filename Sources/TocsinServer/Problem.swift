// SPDX-License-Identifier: Apache-2.0

public import HTTPTypes
public import Hummingbird
import NIOCore
public import TocsinCore

/// An RFC 9457 problem document, thrown by handlers and rendered as `application/problem+json`.
///
/// `detail` says what is wrong and how to fix it; it never contains payload values or secrets.
public struct Problem: HTTPResponseError, Sendable {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A stable problem code; the `type` member is `urn:tocsin:problem:<code>`.
    public var code: String
    /// A short, stable summary of the problem type.
    public var title: String
    /// What went wrong in this occurrence and how to fix it.
    public var detail: String
    /// Extra members (`attribute`, `rule`, `offset`, …).
    public var extensions: [JSONObject.Member]
    /// Extra response headers (`Retry-After`, `WWW-Authenticate`).
    public var headers: HTTPFields

    /// Creates a problem.
    public init(
        _ status: HTTPResponse.Status,
        code: String,
        title: String,
        detail: String,
        extensions: [JSONObject.Member] = [],
        headers: HTTPFields = [:]
    ) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.extensions = extensions
        self.headers = headers
    }

    /// The problem as a JSON object.
    public var jsonValue: JSONValue {
        var members: [JSONObject.Member] = [
            .init(name: "type", value: .string("urn:tocsin:problem:\(code)")),
            .init(name: "title", value: .string(title)),
            .init(name: "status", value: .number(JSONNumber(Int64(status.code)))),
            .init(name: "detail", value: .string(detail)),
        ]
        members += extensions
        return .object(JSONObject(members))
    }

    /// Renders the problem response.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(
            status: status,
            headers: fields,
            body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter().bytes(jsonValue)))
        )
    }
}

extension Problem {
    static func invalidEvent(_ error: CloudEventError) -> Problem {
        Problem(
            .badRequest,
            code: "invalid-cloudevent",
            title: "The event is not a valid CloudEvent",
            detail: error.description,
            extensions: [
                .init(name: "attribute", value: .string(error.attribute)),
                .init(name: "rule", value: .string(error.rule.name)),
            ]
        )
    }

    static func invalidJSON(_ error: JSONParseError) -> Problem {
        Problem(
            error.code == .tooLarge ? .contentTooLarge : .badRequest,
            code: "invalid-json",
            title: "The body is not acceptable JSON",
            detail: error.description,
            extensions: [
                .init(name: "offset", value: .number(JSONNumber(Int64(error.offset)))),
                .init(name: "reason", value: .string(error.code.description)),
            ]
        )
    }

    static func invalidParameter(_ name: String, _ detail: String) -> Problem {
        Problem(
            .badRequest,
            code: "invalid-parameter",
            title: "A query parameter is invalid",
            detail: "\(name): \(detail)",
            extensions: [.init(name: "parameter", value: .string(name))]
        )
    }

    static func bodyTooLarge(limit: Int) -> Problem {
        Problem(
            .contentTooLarge,
            code: "body-too-large",
            title: "The request body is too large",
            detail: "the body exceeds the limit of \(limit) bytes; split it into smaller requests"
        )
    }

    static let unauthorized = Problem(
        .unauthorized,
        code: "unauthorized",
        title: "Authentication required",
        detail: "send 'Authorization: Bearer <api key or token>' with an active, unexpired key; "
            + "the admin key is in <data-dir>/admin.key",
        headers: [.wwwAuthenticate: "Bearer realm=\"tocsin\""]
    )

    static func forbidden(_ permission: Permission) -> Problem {
        Problem(
            .forbidden,
            code: "forbidden",
            title: "Permission denied",
            detail: "this route needs the permission '\(permission.rawValue)', which the caller's roles do not grant; "
                + "ask an admin for a key with a role that has it",
            extensions: [.init(name: "permission", value: .string(permission.rawValue))]
        )
    }

    static let reservedNamespace = Problem(
        .forbidden,
        code: "reserved-namespace",
        title: "The event uses Tocsin's reserved namespace",
        detail: "types starting with 'tocsin.' and sources starting with '/tocsin' are Tocsin's own; "
            + "no client may publish them. Nothing in the request was stored",
        extensions: [.init(name: "permission", value: .string(Permission.publish.rawValue))]
    )

    static func outOfScope(index: Int, count: Int) -> Problem {
        Problem(
            .forbidden,
            code: "out-of-scope",
            title: "The event is outside the key's scope",
            detail: "event \(index) of \(count) does not match the scope pattern of the caller's identity; "
                + "nothing in the request was stored",
            extensions: [
                .init(name: "permission", value: .string(Permission.publish.rawValue)),
                .init(name: "index", value: .number(JSONNumber(Int64(index)))),
            ]
        )
    }

    static func tooManyRequests(retryAfter seconds: Int, scope: String) -> Problem {
        Problem(
            .tooManyRequests,
            code: "rate-limited",
            title: "Too many requests",
            detail: "the \(scope) is over its request rate; retry after \(seconds) s",
            extensions: [.init(name: "limit", value: .string(scope))],
            headers: [.retryAfter: String(seconds)]
        )
    }

    static let unlistedRoute = Problem(
        .forbidden,
        code: "unlisted-route",
        title: "The route names no permission",
        detail: "this route is missing from the permission table, so nobody may call it; this is a bug in Tocsin"
    )

    /// The `503` `log-unavailable` problem of an append that stored nothing.
    ///
    /// `Retry-After` is the wait the log asked for when `cause` is a ``LogUnavailable`` (a clustered
    /// log in a leader election), else 1 second.
    static func unavailable(_ detail: String, cause: (any Error)? = nil) -> Problem {
        let retryAfter = (cause as? LogUnavailable)?.retryAfterSeconds ?? 1
        return Problem(
            .serviceUnavailable,
            code: "log-unavailable",
            title: "The log cannot accept events right now",
            detail: detail,
            headers: [.retryAfter: String(retryAfter)]
        )
    }
}
