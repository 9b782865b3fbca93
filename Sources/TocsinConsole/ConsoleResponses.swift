// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import NIOCore

/// The response headers of the console and the shapes of its answers.
enum ConsoleResponses {
    /// No inline script or style, nothing from elsewhere, no framing.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    /// The headers every console answer carries.
    static let securityHeaders: HTTPFields = [
        HTTPField.Name("Content-Security-Policy").unsafelyUnwrapped: contentSecurityPolicy,
        HTTPField.Name("X-Frame-Options").unsafelyUnwrapped: "DENY",
        HTTPField.Name("X-Content-Type-Options").unsafelyUnwrapped: "nosniff",
        HTTPField.Name("Referrer-Policy").unsafelyUnwrapped: "same-origin",
        .cacheControl: "no-store",
    ]

    /// An HTML page.
    static func page(_ html: String, status: HTTPResponse.Status = .ok, cookie: String? = nil) -> Response {
        var headers = securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        if let cookie {
            headers[.setCookie] = cookie
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// A `303 See Other` to `location` (after a form post, so a reload does not post again).
    static func redirect(_ location: String, cookie: String? = nil) -> Response {
        var headers = securityHeaders
        headers[.location] = location
        if let cookie {
            headers[.setCookie] = cookie
        }
        return Response(status: .seeOther, headers: headers)
    }

    /// An embedded asset.
    static func asset(_ text: String, contentType: String) -> Response {
        var headers = securityHeaders
        headers[.contentType] = contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// The outcome an action reports on the page it returns to, by a fixed code (never free text in
/// the address).
enum ConsoleNotice: String, Sendable, CaseIterable {
    case acknowledged
    case assigned
    case closed
    case redriven
    case redrivenBehindOpenCircuit = "redriven-waiting"
    case verified

    /// The sentence shown.
    var text: String {
        switch self {
        case .acknowledged: "Incident acknowledged."
        case .assigned: "Incident assigned."
        case .closed: "Incident closed."
        case .redriven: "Redrive requested; the deliveries are pending again."
        case .redrivenBehindOpenCircuit:
            "Redrive requested; the deliveries are pending again, but a target's circuit is open, so its deliveries wait until its cool-down ends and a probe succeeds."
        case .verified: "Verification ran; the result is below."
        }
    }
}
