// SPDX-License-Identifier: Apache-2.0

public import InMemoryTracing
import Synchronization
public import Tracing

/// An in-process tracer for tests: records every span (InMemoryTracer) and propagates context as
/// W3C `traceparent`, as the OTLP exporter's tracer does, so tests see the same headers and
/// CloudEvents extensions a real deployment carries.
///
/// The instrumentation system is process-wide and can be bootstrapped once, so tests share
/// ``shared`` and tell their own spans apart by trace id (tests run in parallel).
public struct TestTracer: Tracer {
    /// The span type: the in-memory tracer's.
    public typealias Span = InMemorySpan

    /// The tracer that records spans.
    public let recorder: InMemoryTracer

    /// A tracer that generates W3C-shaped ids (32 and 16 hex digits).
    public init() {
        let counter = IDCounter()
        let next: @Sendable () -> UInt64 = { counter.next() }
        recorder = InMemoryTracer(
            idGenerator: .init(
                nextTraceID: { Self.hex(0x7_0c51, digits: 16) + Self.hex(next(), digits: 16) },
                nextSpanID: { Self.hex(next(), digits: 16) }
            ),
            recordInjections: false,
            recordExtractions: false
        )
    }

    /// The tracer every test shares, bootstrapped as the process's tracer on first use.
    public static let shared: TestTracer = {
        let tracer = TestTracer()
        InstrumentationSystem.bootstrap(tracer)
        return tracer
    }()

    /// The finished spans of the trace `traceID`.
    public func finishedSpans(inTrace traceID: String) -> [FinishedInMemorySpan] {
        recorder.finishedSpans.filter { $0.spanContext.traceID == traceID }
    }

    /// Starts a span through the recording tracer.
    public func startSpan<Instant: TracerInstant>(
        _ operationName: String,
        context: @autoclosure () -> ServiceContext,
        ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant,
        function: String,
        file fileID: String,
        line: UInt
    ) -> InMemorySpan {
        recorder.startSpan(
            operationName,
            context: context(),
            ofKind: kind,
            at: instant(),
            function: function,
            file: fileID,
            line: line
        )
    }

    /// Does nothing: the spans are recorded as they end.
    public func forceFlush() {}

    /// Writes the context's span as `traceparent: 00-<trace>-<span>-01`.
    public func inject<Carrier, Inject: Injector>(
        _ context: ServiceContext,
        into carrier: inout Carrier,
        using injector: Inject
    ) where Inject.Carrier == Carrier {
        guard let span = context.inMemorySpanContext else {
            return
        }
        injector.inject("00-\(span.traceID)-\(span.spanID)-01", forKey: "traceparent", into: &carrier)
    }

    /// Reads `traceparent` into the context as a remote parent span.
    public func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier,
        into context: inout ServiceContext,
        using extractor: Extract
    ) where Extract.Carrier == Carrier {
        guard let value = extractor.extract(key: "traceparent", from: carrier),
            let parsed = Self.parse(traceparent: value)
        else {
            return
        }
        context.inMemorySpanContext = InMemorySpanContext(
            traceID: parsed.traceID,
            spanID: parsed.spanID,
            parentSpanID: nil
        )
    }

    /// The trace id and parent span id of a W3C `traceparent` value, or `nil` when malformed.
    public static func parse(traceparent: String) -> (traceID: String, spanID: String)? {
        let parts = traceparent.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "00", parts[1].count == 32, parts[2].count == 16,
            parts.allSatisfy({ $0.allSatisfy(\.isHexDigit) })
        else {
            return nil
        }
        return (String(parts[1]), String(parts[2]))
    }

    private static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}

/// Hands out increasing numbers to the tracer's id generator from any thread.
private final class IDCounter: Sendable {
    private let last = Mutex<UInt64>(0)

    func next() -> UInt64 {
        last.withLock { value in
            value += 1
            return value
        }
    }
}
