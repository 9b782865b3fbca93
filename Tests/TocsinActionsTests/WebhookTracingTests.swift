// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import InMemoryTracing
import Testing
import TocsinResponse
import TocsinTesting
import Tracing

@testable import TocsinActions

/// A webhook carries the delivery span's trace context, and a failed connection says where and why.
struct WebhookTracingTests {
    @Test("a post inside a span sends that span as the traceparent header; outside one, none")
    func propagated() async throws {
        let tracer = TestTracer.shared
        let receiver = try await LoopbackReceiver.start()
        defer { receiver.stop() }
        let sender = WebhookSender(client: HTTPClient.shared)
        let url = "http://127.0.0.1:\(receiver.port)/hook"
        let spanContext = try await tracer.withSpan("tocsin.deliver") { span in
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
        #expect(receiver.traceparents == ["00-\(spanContext.traceID)-\(spanContext.spanID)-01", ""])
    }

    @Test("a refused connection names the host and the system's reason")
    func refusedConnection() async throws {
        let receiver = try await LoopbackReceiver.start()
        let port = receiver.port
        await receiver.close()
        let sender = WebhookSender(client: HTTPClient.shared)
        let outcome = await sender.post(
            url: "http://127.0.0.1:\(port)/hook",
            headers: [],
            body: [1],
            timeoutMilliseconds: 10_000,
            allowPrivateNetwork: true
        )
        await sender.shutdown()
        guard case .failed(let failure) = outcome else {
            Issue.record("a post to a closed port succeeded")
            return
        }
        #expect(failure.kind == .transport)
        #expect(failure.message == "could not reach 127.0.0.1: connection refused")
    }
}
