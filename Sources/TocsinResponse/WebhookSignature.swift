// SPDX-License-Identifier: Apache-2.0

import Crypto
import TocsinCore

/// The `Tocsin-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
///
/// A receiver recomputes the HMAC over the timestamp, a dot and the exact body bytes, compares it
/// in constant time, and rejects timestamps too far from its clock (replays).
public enum WebhookSignature: Sendable {
    /// The header value for `body` sent at `timestamp` (Unix seconds).
    public static func header(secret: String, timestamp: Int64, body: [UInt8]) -> String {
        "t=\(timestamp),v1=\(signature(secret: secret, timestamp: timestamp, body: body))"
    }

    /// The hex HMAC-SHA256 of `"<timestamp>.<body>"` under `secret`.
    public static func signature(secret: String, timestamp: Int64, body: [UInt8]) -> String {
        var message = Array("\(timestamp).".utf8)
        message += body
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8)))
        return Hex.encode(code)
    }

    /// Whether `header` is a valid signature of `body` under `secret`, made within `tolerance`
    /// seconds of `now` (what a receiver does).
    public static func verify(header: String, secret: String, body: [UInt8], now: Int64, tolerance: Int64 = 300) -> Bool
    {
        var timestamp: Int64?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            if part.hasPrefix("t=") {
                timestamp = Int64(part.dropFirst(2))
            } else if part.hasPrefix("v1=") {
                signatures.append(String(part.dropFirst(3)))
            }
        }
        guard let timestamp, isFresh(timestamp, now: now, tolerance: tolerance),
            let expected = Hex.decode(signature(secret: secret, timestamp: timestamp, body: body))
        else {
            return false
        }
        return signatures.contains { candidate in
            guard let given = Hex.decode(candidate), given.count == expected.count else {
                return false
            }
            return zip(given, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
        }
    }

    /// Whether `timestamp` is at most `tolerance` seconds from `now`.
    ///
    /// The timestamp is the sender's to choose, so the distance may not fit `Int64`
    /// (`t=-9223372036854775808`) and `abs` of it may trap (`abs(Int64.min)`): it is compared as a magnitude.
    private static func isFresh(_ timestamp: Int64, now: Int64, tolerance: Int64) -> Bool {
        let (distance, overflow) = now.subtractingReportingOverflow(timestamp)
        return !overflow && distance.magnitude <= tolerance
    }
}
