// SPDX-License-Identifier: Apache-2.0

public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
public import TocsinResponse

/// Sends one HTTP POST and reports the outcome; the body and headers are built elsewhere.
public struct WebhookSender: Sendable {
    private let client: HTTPClient

    /// Creates a sender on `client` (one shared client keeps connections alive across deliveries).
    public init(client: HTTPClient) {
        self.client = client
    }

    /// POSTs `body` to `url` with `headers`, waiting at most `timeoutMilliseconds`.
    public func post(
        url: String,
        headers: [(String, String)],
        body: [UInt8],
        timeoutMilliseconds: Int64
    ) async -> AttemptOutcome {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "tocsin")
        for (name, value) in headers {
            request.headers.replaceOrAdd(name: name, value: value)
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: .milliseconds(timeoutMilliseconds))
            let status = Int(response.status.code)
            // Drain at most 64 KiB so the connection can be reused; the body is not used.
            _ = try? await response.body.collect(upTo: 64 * 1024)
            if (200..<300).contains(status) {
                return .succeeded(status: status)
            }
            return .failed(
                AttemptFailure(
                    kind: .httpStatus,
                    status: status,
                    retryAfterMilliseconds: Self.retryAfter(response.headers.first(name: "Retry-After")),
                    message: "the receiver answered HTTP \(status)"
                )
            )
        } catch let error as HTTPClientError where [.deadlineExceeded, .readTimeout, .connectTimeout].contains(error) {
            return .failed(AttemptFailure(kind: .timeout, message: "no answer within \(timeoutMilliseconds) ms"))
        } catch {
            return .failed(
                AttemptFailure(kind: .transport, message: "could not reach the receiver (\(Self.describe(error)))")
            )
        }
    }

    /// `Retry-After` in delta-seconds (HTTP dates are not honoured), capped at one day.
    static func retryAfter(_ value: String?) -> Int64? {
        guard let value, let seconds = Int64(value.trimmingCharacters(in: .whitespaces)), seconds >= 0 else {
            return nil
        }
        return min(seconds, 86_400) * 1000
    }

    /// The error's type and short description, without URLs' query strings or bodies.
    private static func describe(_ error: any Error) -> String {
        if let clientError = error as? HTTPClientError {
            return "\(clientError)"
        }
        return String(describing: type(of: error))
    }
}
