// SPDX-License-Identifier: Apache-2.0

#if NATS
internal import CNats
import TocsinCore

/// JetStream gave up on a message: it was delivered `deliveries` times without an ack (the
/// dead-letter hook: read the message by `streamSequence` and park it).
public struct NATSMaxDeliveriesAdvisory: Sendable, Hashable {
    /// Creates an advisory.
    public init(stream: String, consumer: String, streamSequence: UInt64, deliveries: UInt64) {
        self.stream = stream
        self.consumer = consumer
        self.streamSequence = streamSequence
        self.deliveries = deliveries
    }

    /// The stream.
    public var stream: String
    /// The consumer that gave up.
    public var consumer: String
    /// The message's stream sequence.
    public var streamSequence: UInt64
    /// How often it was delivered.
    public var deliveries: UInt64
}

/// What a core subscription's callback needs: the stream it yields into.
///
/// libnats passes it to the
/// callbacks on its own threads as the `closure` pointer.
private final class SubscriptionBox: Sendable {
    let continuation: AsyncStream<[UInt8]>.Continuation

    init(continuation: AsyncStream<[UInt8]>.Continuation) {
        self.continuation = continuation
    }
}

extension NATSConnection {
    /// The MAX_DELIVERIES advisories of `consumer` on `stream`, as they are published.
    ///
    /// Only advisories published while the stream is being iterated arrive (core NATS, no replay);
    /// subscribe before the consumer starts fetching. The server gives up on a message, and publishes
    /// the advisory, when a pull request would have redelivered it, so it comes while the consumer
    /// keeps fetching.
    public func maxDeliveriesAdvisories(
        stream: String,
        consumer: String
    ) async throws -> AsyncStream<NATSMaxDeliveriesAdvisory> {
        let payloads = try await subscribe("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.\(stream).\(consumer)")
        return AsyncStream { continuation in
            let task = Task {
                for await payload in payloads {
                    if let advisory = NATSMaxDeliveriesAdvisory(json: payload) {
                        continuation.yield(advisory)
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// The payloads of core NATS messages on `subject`; ending the iteration unsubscribes.
    public func subscribe(_ subject: String) async throws -> AsyncStream<[UInt8]> {
        let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self)
        let box = SubscriptionBox(continuation: continuation)
        let connection = Handle(connection)
        _ = Unmanaged.passRetained(box)
        let subscription = try await executor.run { () throws -> Handle in
            let opaque = Unmanaged.passUnretained(box).toOpaque()
            var subscription: OpaquePointer?
            var status = natsConnection_Subscribe(&subscription, connection.pointer, subject, deliverPayload, opaque)
            if status == NATS_OK {
                // Released after the last callback, so the box outlives every delivery.
                status = natsSubscription_SetOnCompleteCB(subscription, releaseBox, opaque)
            }
            guard status == NATS_OK, let subscription else {
                natsSubscription_Destroy(subscription)
                Unmanaged.passUnretained(box).release()
                throw NATSError.from(status, operation: "subscribe to \(subject)")
            }
            return Handle(subscription)
        }
        // Destroy unsubscribes and drops our reference; libnats keeps its own while a callback runs.
        continuation.onTermination = { _ in
            natsSubscription_Destroy(subscription.pointer)
        }
        return stream
    }
}

private let deliverPayload: natsMsgHandler = { _, _, message, closure in
    guard let message, let closure else {
        return
    }
    defer { natsMsg_Destroy(message) }
    let box = Unmanaged<SubscriptionBox>.fromOpaque(closure).takeUnretainedValue()
    box.continuation.yield(NATSStoredMessage(message).payload)
}

private let releaseBox: natsOnCompleteCB = { closure in
    guard let closure else {
        return
    }
    let box = Unmanaged<SubscriptionBox>.fromOpaque(closure).takeRetainedValue()
    box.continuation.finish()
}

extension NATSMaxDeliveriesAdvisory {
    init?(json payload: [UInt8]) {
        guard case .object(let object)? = try? JSONParser().parse(payload) else {
            return nil
        }
        func member(_ name: String) -> JSONValue? {
            object.members.first { $0.name == name }?.value
        }
        guard case .string(let stream)? = member("stream"), case .string(let consumer)? = member("consumer"),
            case .number(let sequence)? = member("stream_seq"), case .number(let deliveries)? = member("deliveries"),
            let streamSequence = UInt64(sequence.text), let deliveryCount = UInt64(deliveries.text)
        else {
            return nil
        }
        self.init(stream: stream, consumer: consumer, streamSequence: streamSequence, deliveries: deliveryCount)
    }
}
#endif
