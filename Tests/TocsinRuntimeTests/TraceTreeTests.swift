// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import Foundation
import InMemoryTracing
import Logging
import NIOCore
import NIOHTTP1
import Testing
import TocsinCore
import TocsinServer
import TocsinTesting
import Tracing

@testable import TocsinRuntime

/// One trace from ingest to each delivery, through the log: the whole runtime in this process with
/// the test tracer, a rule that routes the event to a webhook and a threshold rule whose alert goes
/// to the same webhook.
struct TraceTreeTests {
    static let rules = """
        targets:
          hook: {kind: webhook, url: "http://127.0.0.1:PORT/hook", allow_private_network: true}
        rules:
          every-login:
            pattern: {type: [test.login.failed]}
            targets: [{target: hook}]
          first-failure:
            pattern: {type: [test.login.failed]}
            threshold: {count: 1, within_seconds: 60}
            targets: [{target: hook}]
        """

    @Test("ingest, routing, detection and both deliveries form one tree under the caller's traceparent")
    func spanTree() async throws {
        let tracer = TestTracer.shared
        let receiver = try await LoopbackReceiver.start()
        defer { receiver.stop() }
        let directory = try TemporaryDirectory()
        let rulesDirectory = directory.path + "/rules"
        try FileManager.default.createDirectory(atPath: rulesDirectory, withIntermediateDirectories: true)
        try Self.rules.replacingOccurrences(of: "PORT", with: String(receiver.port))
            .write(toFile: rulesDirectory + "/rules.yaml", atomically: true, encoding: .utf8)
        var configuration = RuntimeConfiguration(dataDirectory: directory.path + "/data")
        configuration.server.port = 0
        configuration.server.requiresAuthentication = false
        configuration.rulesDirectory = rulesDirectory
        let listening = AsyncStream<Int>.makeStream()
        let server = Task {
            try await TocsinRuntime.serve(
                configuration,
                logger: Logger(label: "trace-tree-test"),
                onListening: { listening.continuation.yield($0) }
            )
        }
        defer { server.cancel() }
        var ports = listening.stream.makeAsyncIterator()
        let port = try #require(await ports.next())

        let traceID = Self.randomHex(32)
        let callerSpan = Self.randomHex(16)
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/events")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/cloudevents+json")
        request.headers.add(name: "traceparent", value: "00-\(traceID)-\(callerSpan)-01")
        request.body = .bytes(
            ByteBuffer(string: #"{"specversion":"1.0","id":"t1","source":"/test","type":"test.login.failed"}"#)
        )
        // A client that does not trace: it would add a traceparent of its own to the one set above.
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.tracing.tracer = nil
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        let response = try await client.execute(request, timeout: .seconds(30))
        #expect(response.status.code == 202)
        try await client.shutdown()

        let spans = try await Self.waitForSpans(tracer, traceID: traceID) { spans in
            return spans.filter { $0.operationName == "tocsin.deliver" }.count >= 2
        }
        let byName = Dictionary(grouping: spans, by: \.operationName)
        let ingest = try #require(byName["tocsin.ingest"]?.first)
        #expect(ingest.parentSpanID == callerSpan, "the ingest span continues the caller's traceparent")
        let detect = try #require(byName["tocsin.detect"]?.first { $0.parentSpanID == ingest.spanID })
        let routes = byName["tocsin.route"] ?? []
        #expect(routes.contains { $0.parentSpanID == ingest.spanID }, "the event is routed under ingest")
        #expect(routes.contains { $0.parentSpanID == detect.spanID }, "the alert is routed under detection")
        let deliveries = byName["tocsin.deliver"] ?? []
        #expect(Set(deliveries.compactMap(\.parentSpanID)) == [ingest.spanID, detect.spanID])
        #expect(deliveries.allSatisfy { $0.status == nil }, "both deliveries succeeded")

        // Each webhook's traceparent names async-http-client's client span of its delivery.
        let sent = try await eventually { receiver.traceparents.count >= 2 ? receiver.traceparents : nil }
        #expect(sent.allSatisfy { $0.hasPrefix("00-\(traceID)-") }, "the webhook gets the event's trace")
        let named = Set(sent.compactMap { TestTracer.parse(traceparent: $0)?.spanID })
        let clientSpans = try await Self.waitForSpans(tracer, traceID: traceID) { spans in
            named.isSubset(of: spans.map(\.spanID))
        }
        .filter { named.contains($0.spanID) }
        #expect(Set(clientSpans.compactMap(\.parentSpanID)) == Set(deliveries.map(\.spanID)))
        server.cancel()
        _ = await server.result
        directory.remove()
    }

    private static func waitForSpans(
        _ tracer: TestTracer,
        traceID: String,
        until done: ([FinishedInMemorySpan]) -> Bool
    ) async throws -> [FinishedInMemorySpan] {
        try await eventually {
            let spans = tracer.finishedSpans(inTrace: traceID)
            return done(spans) ? spans : nil
        }
    }

    private static func randomHex(_ digits: Int) -> String {
        String((0..<digits).map { _ in "0123456789abcdef".randomElement() ?? "0" })
    }
}
