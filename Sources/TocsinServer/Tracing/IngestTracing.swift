// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import TocsinCore
import Tracing

/// The start of a trace: the ingest span, and the W3C trace context each stored event carries on.
///
/// The ingest span continues the request's `traceparent` header, or, for a CloudEvents request of one
/// event with no such header, the event's own `traceparent` extension (native-source records are
/// stamped the same way, from the header only). Every event that does not carry a
/// `traceparent` extension is stamped with the ingest span's context, so the router, the detections
/// and each delivery, which read the event from the log later, continue the same trace. An event's
/// own extension is kept as its producer set it (the CloudEvents distributed-tracing extension).
///
/// With no tracer bootstrapped (the default build), the tracer is a no-op: nothing is extracted or
/// stamped, and stored events are unchanged.
enum IngestTracing {
    /// The name of the span around decoding and durably appending a request's events.
    static let spanName = "tocsin.ingest"

    /// Runs `body` in the ingest span of `request`, whose events are `events`.
    static func withIngestSpan<T>(
        headers: HTTPFields,
        events: [CloudEvent],
        route: String,
        _ body: ([CloudEvent]) async throws -> T
    ) async throws -> T {
        let tracer = InstrumentationSystem.tracer
        guard !(tracer is NoOpTracer) else {
            return try await body(events)
        }
        var parent = ServiceContext.current ?? .topLevel
        if HTTPFieldsExtractor().extract(key: traceparentName, from: headers) != nil {
            tracer.extract(headers, into: &parent, using: HTTPFieldsExtractor())
        } else if events.count == 1, events[0].extensions[traceparentName] != nil {
            tracer.extract(events[0].extensions, into: &parent, using: ExtensionsExtractor())
        }
        return try await withSpan(spanName, context: parent, ofKind: .server) { span in
            span.attributes["tocsin.route"] = route
            span.attributes["tocsin.events"] = events.count
            let stamped = events.map { stamp($0, context: span.context) }
            return try await body(stamped)
        }
    }

    /// Runs `body` in the ingest span of a native-source request (`/v1/sources/{format}`), which continues the
    /// request's `traceparent` header; `body` appends its records in chunks and passes each record through the
    /// function it is given, which stamps the record's event with the span's context.
    static func withSourceSpan<T>(
        headers: HTTPFields,
        route: String,
        _ body: (_ stamp: (LogEntry) -> LogEntry) async throws -> T
    ) async throws -> T {
        let tracer = InstrumentationSystem.tracer
        guard !(tracer is NoOpTracer) else {
            return try await body { $0 }
        }
        var parent = ServiceContext.current ?? .topLevel
        if HTTPFieldsExtractor().extract(key: traceparentName, from: headers) != nil {
            tracer.extract(headers, into: &parent, using: HTTPFieldsExtractor())
        }
        return try await withSpan(spanName, context: parent, ofKind: .server) { span in
            span.attributes["tocsin.route"] = route
            let context = span.context
            return try await body { entry in
                var stamped = entry
                stamped.event = stamp(entry.event, context: context)
                return stamped
            }
        }
    }

    /// `event` with the trace context of `context` in its `traceparent` extension, unless it has one.
    static func stamp(_ event: CloudEvent, context: ServiceContext) -> CloudEvent {
        guard event.extensions[traceparentName] == nil else {
            return event
        }
        var stamped = event
        InstrumentationSystem.tracer.inject(context, into: &stamped.extensions, using: ExtensionsInjector())
        return stamped
    }

    /// The CloudEvents extension (and HTTP header) that carries the W3C trace context.
    static let traceparentName = "traceparent"
}

/// Reads trace context from HTTP request headers.
struct HTTPFieldsExtractor: Extractor {
    func extract(key: String, from carrier: HTTPFields) -> String? {
        HTTPField.Name(key).flatMap { carrier[$0] }
    }
}
