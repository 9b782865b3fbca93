// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import InMemoryTracing
import Testing
import TocsinResponse
import TocsinTesting
import Tracing

@testable import TocsinActions

/// A webhook carries the delivery span's trace, and a failed connection says where and why.
struct WebhookTracingTests {
    @Test("inside a span, the request carries a client span of it as traceparent; outside, a new trace")
    func propagated() async throws {
        let tracer = TestTracer.shared
        let receiver = try await LoopbackReceiver.start()
        defer { receiver.stop() }
        // A client made after the tracer is bootstrapped: async-http-client takes the tracer then.
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let sender = WebhookSender(client: client)
        let url = "http://127.0.0.1:\(receiver.port)/hook"
        let delivery = try await tracer.withSpan("tocsin.deliver") { span in
            let outcome = await sender.post(
                url: url,
                headers: [],
                body: [1],
                timeoutMilliseconds: 10_000,
                allowPrivateNetwork: true
            )
            #expect(outcome == .succeeded(status: 204))
            return try #require(span.context.inMemorySpanContext)
        }
        _ = await sender.post(url: url, headers: [], body: [1], timeoutMilliseconds: 10_000, allowPrivateNetwork: true)
        await sender.shutdown()
        try await client.shutdown()
        let sent = receiver.traceparents.map { TestTracer.parse(traceparent: $0) }
        #expect(sent.count == 2)
        let inside = try #require(sent.first ?? nil)
        #expect(inside.traceID == delivery.traceID)
        let clientSpan = try #require(
            tracer.finishedSpans(inTrace: delivery.traceID).first { $0.spanID == inside.spanID }
        )
        #expect(clientSpan.parentSpanID == delivery.spanID, "the header names a child of the delivery span")
        #expect(clientSpan.kind == .client)
        let outside = try #require(sent.last ?? nil)
        #expect(outside.traceID != delivery.traceID)
    }

    @Test("a refused connection names the host and the system's reason")
    func refusedConnection() async throws {
        // Bound but not listening: refused, and no other test's server can take the port meanwhile.
        let refusing = try RefusingPort()
        let port = refusing.port
        let sender = WebhookSender(client: HTTPClient.shared)
        let outcome = await sender.post(
            url: "http://127.0.0.1:\(port)/hook",
            headers: [],
            body: [1],
            timeoutMilliseconds: 2_000,
            allowPrivateNetwork: true
        )
        await sender.shutdown()
        withExtendedLifetime(refusing) {}
        guard case .failed(let failure) = outcome else {
            Issue.record("a post to a closed port succeeded")
            return
        }
        #expect(failure.kind == .transport)
        #expect(failure.message == "could not reach 127.0.0.1: connection refused")
    }
}
