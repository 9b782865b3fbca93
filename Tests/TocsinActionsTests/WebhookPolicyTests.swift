// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import NIOPosix
import Testing
import TocsinCore
import TocsinResponse
import TocsinTesting

@testable import TocsinActions

/// Webhooks to loopback, link-local and private addresses are refused unless allowed, on the
/// addresses a name resolves to, and the connection goes to the checked address.
struct WebhookPolicyTests {
    private func withSender(
        allowing networks: [String] = [],
        resolving names: [String: [String]]? = nil,
        _ body: (WebhookSender) async throws -> Void
    ) async throws {
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .init(redirectConfiguration: .disallow)
        )
        let ranges = try networks.map { try IPRange.parseCIDR($0, allowsSingleAddress: true).get() }
        let policy = OutboundPolicy(allowedNetworks: ranges)
        let sender =
            if let names {
                WebhookSender(client: client, policy: policy) { name in
                    .success((names[name] ?? []).compactMap { IPAddress.parse($0) })
                }
            } else {
                WebhookSender(client: client, policy: policy)
            }
        do {
            try await body(sender)
        } catch {
            await sender.shutdown()
            try await client.shutdown()
            throw error
        }
        await sender.shutdown()
        try await client.shutdown()
    }

    @Test(
        "refused with a permanent failure that names the host and the address class",
        arguments: [
            ("http://127.0.0.1:9/hook", "127.0.0.1 is a loopback address"),
            ("http://169.254.169.254/latest/meta-data", "169.254.169.254 is a link-local address"),
            ("http://[::1]:9/hook", "::1 is a loopback address"),
            ("http://localhost:9/hook", "localhost resolves to a loopback address"),
            ("http://[::ffff:127.0.0.1]:9/hook", "resolves to a loopback address"),
            ("http://0.0.0.0:9/hook", "0.0.0.0 is an unspecified address"),
            ("http://127.1:9/hook", "127.1 resolves to a loopback address"),
        ]
    )
    func refused(_ url: String, _ reason: String) async throws {
        try await withSender { sender in
            let outcome = await sender.post(url: url, headers: [], body: [], timeoutMilliseconds: 2_000)
            guard case .failed(let failure) = outcome else {
                Issue.record("\(url) was not refused")
                return
            }
            #expect(failure.kind == .rejected)
            #expect(!failure.isRetryable)
            #expect(failure.message.contains("refused by the outbound network policy"))
            #expect(failure.message.contains(reason), "\(failure.message)")
        }
    }

    @Test("schemes other than http and https are refused (http+unix would reach local sockets)")
    func otherSchemes() async throws {
        try await withSender { sender in
            let outcome = await sender.post(
                url: "http+unix://%2Fvar%2Frun%2Fdocker.sock/containers",
                headers: [],
                body: [],
                timeoutMilliseconds: 2_000
            )
            #expect(
                outcome
                    == .failed(AttemptFailure(kind: .rejected, message: "the target URL is not http(s) with a host"))
            )
        }
    }

    @Test("allowed by the target's allow_private_network or by the server's allowed networks")
    func allowed() async throws {
        let receiver = try await LoopbackReceiver.start()
        defer { receiver.stop() }
        let url = "http://127.0.0.1:\(receiver.port)/hook"
        try await withSender { sender in
            let outcome = await sender.post(
                url: url,
                headers: [],
                body: [1],
                timeoutMilliseconds: 10_000,
                allowPrivateNetwork: true
            )
            #expect(outcome == .succeeded(status: 204))
        }
        try await withSender(allowing: ["127.0.0.0/8", "::1/128"]) { sender in
            #expect(
                await sender.post(url: url, headers: [], body: [1], timeoutMilliseconds: 10_000)
                    == .succeeded(status: 204)
            )
            // A name: resolved, checked, and connected to the checked IPv4 address.
            let named = "http://localhost:\(receiver.port)/hook"
            #expect(
                await sender.post(url: named, headers: [], body: [1], timeoutMilliseconds: 10_000)
                    == .succeeded(status: 204)
            )
            #expect(
                await sender.post(url: named, headers: [], body: [1], timeoutMilliseconds: 10_000)
                    == .succeeded(status: 204)
            )
        }
        #expect(receiver.requests == 4)
        #expect(receiver.hosts.contains("localhost:\(receiver.port)"), "the Host header keeps the name")
    }

    @Test("the connection goes to the checked address, not to what the name resolves to later")
    func pinnedToTheCheckedAddress() async throws {
        let receiver = try await LoopbackReceiver.start()
        defer { receiver.stop() }
        // No DNS server knows this name: only a connection pinned to the address the check saw
        // can reach the receiver.
        let url = "http://rebind.invalid:\(receiver.port)/hook"
        try await withSender(allowing: ["127.0.0.0/8"], resolving: ["rebind.invalid": ["127.0.0.1"]]) { sender in
            #expect(
                await sender.post(url: url, headers: [], body: [1], timeoutMilliseconds: 10_000)
                    == .succeeded(status: 204)
            )
        }
        try await withSender(resolving: ["rebind.invalid": ["203.0.113.9", "127.0.0.1"]]) { sender in
            let outcome = await sender.post(url: url, headers: [], body: [1], timeoutMilliseconds: 10_000)
            guard case .failed(let failure) = outcome else {
                Issue.record("a name with one loopback address among public ones was not refused")
                return
            }
            #expect(failure.message.contains("rebind.invalid resolves to a loopback address"))
        }
        #expect(receiver.hosts == ["rebind.invalid:\(receiver.port)"])
    }
}
