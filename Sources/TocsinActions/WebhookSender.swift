// SPDX-License-Identifier: Apache-2.0

public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
public import TocsinCore
public import TocsinResponse

/// Sends one HTTP POST and reports the outcome; the body and headers are built elsewhere.
///
/// Every post is checked against the ``OutboundPolicy`` on the addresses it will connect to: an
/// address literal as it is, a host name after resolving it (every address it resolves to must
/// be allowed), and the connection is then pinned to the checked address so that DNS rebinding
/// cannot move it. The pinned clients never follow redirects, and the shared client must not
/// either (a redirect would skip the check). A refusal is a permanent failure that names the host
/// and the address class, never the receiver's answer.
///
/// Inside a span (a delivery's), async-http-client makes a client span for the request and sends
/// its W3C `traceparent`, through the tracer bootstrapped when the client was created.
public struct WebhookSender: Sendable {
    private let client: HTTPClient
    private let policy: OutboundPolicy
    private let pinned: PinnedClients
    private let resolve: @Sendable (String) async -> Result<[IPAddress], HostResolver.ResolutionFailure>

    /// Creates a sender on `client` (one shared client keeps connections alive across deliveries),
    /// checking every post against `policy`.
    ///
    /// Call ``shutdown()`` when done: the sender keeps clients pinned to checked addresses on
    /// `client`'s event loops.
    public init(client: HTTPClient, policy: OutboundPolicy = OutboundPolicy()) {
        self.init(client: client, policy: policy) { await HostResolver.resolve($0) }
    }

    /// Creates a sender whose host names are resolved by `resolve` (tests answer for names no DNS
    /// server knows, to show the connection goes to the checked address).
    init(
        client: HTTPClient,
        policy: OutboundPolicy,
        resolve: @escaping @Sendable (String) async -> Result<[IPAddress], HostResolver.ResolutionFailure>
    ) {
        self.client = client
        self.policy = policy
        self.pinned = PinnedClients(eventLoopGroup: client.eventLoopGroup)
        self.resolve = resolve
    }

    /// Shuts down the pinned clients (not the shared client, which its owner shuts down).
    public func shutdown() async {
        await pinned.shutdown()
    }

    /// POSTs `body` to `url` with `headers`, waiting at most `timeoutMilliseconds`.
    ///
    /// - Parameters:
    ///   - url: The receiver's http or https URL.
    ///   - headers: Headers to send besides `Content-Type` and `User-Agent`.
    ///   - body: The request body.
    ///   - timeoutMilliseconds: The deadline of the whole request.
    ///   - allowPrivateNetwork: The target may reach loopback, link-local, private and unique-local
    ///     addresses (its `allow_private_network` key).
    /// - Returns: Success for a 2xx answer; otherwise the failure, which names no response body.
    public func post(
        url: String,
        headers: [(String, String)],
        body: [UInt8],
        timeoutMilliseconds: Int64,
        allowPrivateNetwork: Bool = false
    ) async -> AttemptOutcome {
        guard let host = Self.host(of: url) else {
            return .failed(AttemptFailure(kind: .rejected, message: "the target URL is not http(s) with a host"))
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "tocsin")
        for (name, value) in headers {
            request.headers.replaceOrAdd(name: name, value: value)
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        if let literal = IPAddress.parse(host) {
            if case .refused(let addressClass) = policy.check(literal, allowPrivateNetwork: allowPrivateNetwork) {
                return Self.refusal(host: host, addressClass: addressClass, resolved: false)
            }
            return await execute(request, on: client, host: host, timeoutMilliseconds: timeoutMilliseconds)
        }
        if allowPrivateNetwork {
            return await execute(request, on: client, host: host, timeoutMilliseconds: timeoutMilliseconds)
        }
        let addresses: [IPAddress]
        switch await resolve(host) {
        case .success(let resolved): addresses = resolved
        case .failure(let failure):
            return .failed(
                AttemptFailure(kind: .transport, message: "could not resolve \(host) (\(failure.reason))")
            )
        }
        for address in addresses {
            if case .refused(let addressClass) = policy.check(address, allowPrivateNetwork: false) {
                return Self.refusal(host: host, addressClass: addressClass, resolved: true)
            }
        }
        // One address, IPv4 first: the connection is pinned to it, and a name such as localhost
        // usually has both families while receivers often listen on one.
        let address = (addresses.first { !$0.isV6 } ?? addresses[0]).text
        let pinnedClient = await pinned.acquire(host: host, address: address)
        let outcome = await execute(request, on: pinnedClient, host: host, timeoutMilliseconds: timeoutMilliseconds)
        await pinned.release(host: host, address: address)
        return outcome
    }

    private func execute(
        _ request: HTTPClientRequest,
        on client: HTTPClient,
        host: String,
        timeoutMilliseconds: Int64
    ) async -> AttemptOutcome {
        do {
            let response = try await client.execute(request, timeout: .milliseconds(timeoutMilliseconds))
            let status = Int(response.status.code)
            // Drain at most 64 KiB so the connection can be reused; the body is never used or stored.
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
            return .failed(
                AttemptFailure(kind: .timeout, message: "\(host) gave no answer within \(timeoutMilliseconds) ms")
            )
        } catch {
            return .failed(
                AttemptFailure(kind: .transport, message: "could not reach \(host): \(Self.describe(error))")
            )
        }
    }

    /// The permanent failure for a refused address.
    private static func refusal(host: String, addressClass: AddressClass, resolved: Bool) -> AttemptOutcome {
        var failure = AttemptFailure(
            kind: .rejected,
            message: "refused by the outbound network policy: \(host)\(resolved ? " resolves to" : " is") "
                + "\(addressClass.phrase); set allow_private_network: true on the target or start the server "
                + "with --allow-target-network CIDR"
        )
        failure.isPermanent = true
        return .failed(failure)
    }

    /// The host async-http-client will connect to, read as it reads it (`URL.host` without IPv6
    /// brackets), or `nil` when the URL is not http(s) with a host: other schemes (`http+unix`)
    /// would reach local sockets.
    static func host(of url: String) -> String? {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
            scheme == "http" || scheme == "https", var host = parsed.host, !host.isEmpty
        else {
            return nil
        }
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        }
        return host
    }

    /// `Retry-After` in delta-seconds (HTTP dates are not honoured), capped at one day.
    static func retryAfter(_ value: String?) -> Int64? {
        guard let value, let seconds = Int64(value.trimmingCharacters(in: .whitespaces)), seconds >= 0 else {
            return nil
        }
        return min(seconds, 86_400) * 1000
    }

    /// The cause in plain words, without URLs' query strings or bodies: the system's reason for a
    /// socket error (connection refused, host unreachable), the client's for an HTTP error, else the
    /// error's type.
    static func describe(_ error: any Error) -> String {
        if let ioError = error as? IOError {
            return Self.reason(errno: ioError.errnoCode)
        }
        if let clientError = error as? HTTPClientError {
            return "\(clientError)"
        }
        if let connectError = error as? NIOConnectionError {
            if let first = connectError.connectionErrors.first, let ioError = first.error as? IOError {
                return Self.reason(errno: ioError.errnoCode)
            }
            return "no address of the host accepted a connection"
        }
        return String(describing: type(of: error))
    }

    /// The system's reason for `code`, in lower case (`connection refused`).
    private static func reason(errno code: Int32) -> String {
        String(cString: strerror(code)).lowercased()
    }
}
