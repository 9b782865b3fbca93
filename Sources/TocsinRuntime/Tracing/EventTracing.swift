// SPDX-License-Identifier: Apache-2.0

import TocsinCore
import TocsinServer
import Tracing

/// The stages after the log continue the trace an event carries in its `traceparent` extension.
///
/// The ingest span stamps each event it stores (see the server's ingest tracing); the router, the
/// detections and each delivery read the event back and start their span as a child of that
/// context, and an alert is stamped with the detection's span so its deliveries continue the trace
/// of the event that raised it. An event with no `traceparent` (tracing was off when it was stored)
/// gets no span: the work runs as it would without tracing, at no cost.
enum EventTracing {
    /// The CloudEvents extension that carries the W3C trace context.
    static let traceparentName = "traceparent"

    /// Runs `body` in a span named `name` that continues `event`'s trace, or without a span when
    /// the event carries no trace context or no tracer is bootstrapped.
    static func withSpan<T>(
        _ name: String,
        continuing event: CloudEvent,
        ofKind kind: SpanKind = .consumer,
        _ body: (any Span) throws -> T
    ) rethrows -> T {
        guard let parent = context(of: event) else {
            return try body(NoOpTracer.NoOpSpan(context: .topLevel))
        }
        return try Tracing.withSpan(name, context: parent, ofKind: kind) { span in try body(span) }
    }

    /// The asynchronous form of ``withSpan(_:continuing:ofKind:_:)``.
    static func withAsyncSpan<T>(
        _ name: String,
        continuing event: CloudEvent,
        ofKind kind: SpanKind = .consumer,
        _ body: (any Span) async throws -> T
    ) async rethrows -> T {
        guard let parent = context(of: event) else {
            return try await body(NoOpTracer.NoOpSpan(context: .topLevel))
        }
        return try await Tracing.withSpan(name, context: parent, ofKind: kind) { span in try await body(span) }
    }

    /// The trace context `event` carries, or `nil` when it carries none or tracing is off.
    static func context(of event: CloudEvent) -> ServiceContext? {
        guard event.extensions[traceparentName] != nil else {
            return nil
        }
        let tracer = InstrumentationSystem.tracer
        guard !(tracer is NoOpTracer) else {
            return nil
        }
        var context = ServiceContext.topLevel
        tracer.extract(event.extensions, into: &context, using: ExtensionsExtractor())
        return context
    }

    /// `event` stamped with the current span's trace context, unless it carries one already.
    static func stamp(_ event: CloudEvent) -> CloudEvent {
        guard event.extensions[traceparentName] == nil, let current = ServiceContext.current else {
            return event
        }
        var stamped = event
        InstrumentationSystem.tracer.inject(current, into: &stamped.extensions, using: ExtensionsInjector())
        return stamped
    }
}
