// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import InMemoryTracing
import Testing
import TocsinCore
import TocsinTesting
import Tracing

@testable import TocsinServer

/// The ingest span: whose trace it continues, and the trace context it leaves on stored events.
struct IngestTracingTests {
    let tracer = TestTracer.shared

    static func randomHex(_ digits: Int) -> String {
        String((0..<digits).map { _ in "0123456789abcdef".randomElement() ?? "0" })
    }

    static func event(_ id: String, traceparent: String? = nil) -> CloudEvent {
        CloudEvent(
            id: id,
            source: "/test",
            type: "test.login.failed",
            extensions: traceparent.map { ["traceparent": .string($0)] } ?? [:]
        )
    }

    @Test("continues the request's traceparent header and stamps events without their own")
    func header() async throws {
        let traceID = Self.randomHex(32)
        let caller = Self.randomHex(16)
        let producers = "00-\(Self.randomHex(32))-\(Self.randomHex(16))-01"
        var headers = HTTPFields()
        headers[try #require(HTTPField.Name("traceparent"))] = "00-\(traceID)-\(caller)-01"
        let stored = try await IngestTracing.withIngestSpan(
            headers: headers,
            events: [Self.event("a"), Self.event("b", traceparent: producers)],
            route: "/v1/events"
        ) { $0 }
        let spans = tracer.finishedSpans(inTrace: traceID)
        #expect(spans.map(\.operationName) == ["tocsin.ingest"])
        let ingest = try #require(spans.first)
        #expect(ingest.parentSpanID == caller)
        #expect(ingest.kind == .server)
        #expect(stored[0].extensions["traceparent"] == .string("00-\(traceID)-\(ingest.spanID)-01"))
        #expect(stored[1].extensions["traceparent"] == .string(producers), "a producer's context is kept")
    }

    @Test("one event's own traceparent extension is continued when the request has no header")
    func extensionOnly() async throws {
        let traceID = Self.randomHex(32)
        let producer = Self.randomHex(16)
        let own = "00-\(traceID)-\(producer)-01"
        let stored = try await IngestTracing.withIngestSpan(
            headers: HTTPFields(),
            events: [Self.event("c", traceparent: own)],
            route: "/v1/events"
        ) { $0 }
        let ingest = try #require(tracer.finishedSpans(inTrace: traceID).first)
        #expect(ingest.operationName == "tocsin.ingest")
        #expect(ingest.parentSpanID == producer)
        #expect(stored[0].extensions["traceparent"] == .string(own))
    }

    @Test("a request with no trace context starts a new trace that its events carry")
    func newTrace() async throws {
        let stored = try await IngestTracing.withIngestSpan(
            headers: HTTPFields(),
            events: [Self.event("d")],
            route: "/v1/events"
        ) { $0 }
        let value = try #require(stored[0].extensions["traceparent"]?.canonicalString)
        let parsed = try #require(TestTracer.parse(traceparent: value))
        let ingest = try #require(tracer.finishedSpans(inTrace: parsed.traceID).first)
        #expect(ingest.spanID == parsed.spanID)
        #expect(ingest.parentSpanID == nil)
    }

    @Test("a native-source request continues its traceparent header and stamps every chunk's records")
    func sourceRecords() async throws {
        let traceID = Self.randomHex(32)
        let caller = Self.randomHex(16)
        var headers = HTTPFields()
        headers[try #require(HTTPField.Name("traceparent"))] = "00-\(traceID)-\(caller)-01"
        let chunks = [[Self.event("e"), Self.event("f")], [Self.event("g")]]
        let stored = try await IngestTracing.withSourceSpan(headers: headers, route: "/v1/sources/cloudtrail") {
            stamp in
            chunks.map { $0.map { stamp(LogEntry(event: $0)).event } }
        }
        let ingest = try #require(tracer.finishedSpans(inTrace: traceID).first)
        #expect(ingest.parentSpanID == caller)
        let expected = "00-\(traceID)-\(ingest.spanID)-01"
        #expect(stored.joined().allSatisfy { $0.extensions["traceparent"] == .string(expected) })
    }
}
