// SPDX-License-Identifier: Apache-2.0

#if NATS
internal import CNats
import Foundation

/// A durable pull consumer shared by every node: explicit acks, redelivery after `ackWait` (or
/// the `backoff` steps), and at most `maxDeliver` deliveries before JetStream gives up on a message
/// and publishes a MAX_DELIVERIES advisory (the dead-letter hook).
public struct NATSConsumerConfiguration: Sendable, Hashable {
    /// The durable name, shared by the nodes that split the work.
    public var durable: String
    /// The subjects it reads (wildcards allowed), for example `tocsin.events.>`.
    public var filterSubject: String
    /// How long a delivered message may stay unacknowledged before it is delivered again.
    public var ackWait: Duration
    /// Deliveries before the message is given up (`-1`: no limit).
    public var maxDeliver: Int
    /// Redelivery delays, one per delivery (the last repeats); `maxDeliver` must exceed their count.
    public var backoff: [Duration]
    /// Delivered messages that may wait for their ack at once.
    public var maxAckPending: Int

    /// Creates a configuration.
    public init(
        durable: String,
        filterSubject: String,
        ackWait: Duration = .seconds(30),
        maxDeliver: Int = -1,
        backoff: [Duration] = [],
        maxAckPending: Int = 1000
    ) {
        self.durable = durable
        self.filterSubject = filterSubject
        self.ackWait = ackWait
        self.maxDeliver = maxDeliver
        self.backoff = backoff
        self.maxAckPending = maxAckPending
    }
}

/// A message a pull consumer delivered; acknowledge it exactly once.
///
/// `@unchecked Sendable` because the `natsMsg` is owned by this object alone, destroyed in
/// `deinit`, and libnats' ack calls only read it and publish on the (internally locked) connection.
public final class NATSDeliveredMessage: @unchecked Sendable {
    private let message: OpaquePointer
    /// The subject it was published to.
    public let subject: String
    /// The payload.
    public let payload: [UInt8]
    /// Its stream sequence.
    public let streamSequence: UInt64
    /// How often it was delivered, this delivery included.
    public let deliveries: UInt64

    init(_ message: OpaquePointer) {
        self.message = message
        let stored = NATSStoredMessage(message)
        subject = stored.subject
        payload = stored.payload
        var metadata: UnsafeMutablePointer<jsMsgMetaData>?
        if natsMsg_GetMetaData(&metadata, message) == NATS_OK, let metadata {
            streamSequence = metadata.pointee.Sequence.Stream
            deliveries = metadata.pointee.NumDelivered
            jsMsgMetaData_Destroy(metadata)
        } else {
            streamSequence = 0
            deliveries = 0
        }
    }

    deinit {
        natsMsg_Destroy(message)
    }

    /// Acknowledges it: it is done and will not be delivered again.
    public func ack() throws(NATSError) {
        try NATSError.check(natsMsg_Ack(message, nil), operation: "ack message \(streamSequence)")
    }

    /// Gives it back for redelivery, after `delay` when given (otherwise at once).
    public func nak(delay: Duration? = nil) throws(NATSError) {
        let status = delay.map { natsMsg_NakWithDelay(message, $0.natsMilliseconds, nil) } ?? natsMsg_Nak(message, nil)
        try NATSError.check(status, operation: "nak message \(streamSequence)")
    }

    /// Asks for more time: the ack wait starts again.
    public func inProgress() throws(NATSError) {
        try NATSError.check(natsMsg_InProgress(message, nil), operation: "extend message \(streamSequence)")
    }

    /// Gives it up: never delivered again (no advisory, unlike reaching `maxDeliver`).
    public func term() throws(NATSError) {
        try NATSError.check(natsMsg_Term(message, nil), operation: "terminate message \(streamSequence)")
    }
}

/// A pull subscription to a durable consumer.
///
/// Fetches block on the consumer's own thread, so a long fetch delays neither the connection's
/// other requests nor Swift's cooperative pool.
public final class NATSPullConsumer: Sendable {
    private let subscription: Handle
    private let executor: BlockingExecutor
    /// The consumer's durable name.
    public let durable: String

    fileprivate init(subscription: Handle, durable: String) {
        self.subscription = subscription
        self.executor = BlockingExecutor(threads: 1, name: "tocsin-nats-fetch")
        self.durable = durable
    }

    /// Up to `batch` messages, waiting at most `timeout` for the first; empty when none came.
    public func fetch(batch: Int, timeout: Duration) async throws -> [NATSDeliveredMessage] {
        let subscription = subscription
        let durable = durable
        return try await executor.run { () throws -> [NATSDeliveredMessage] in
            var list = natsMsgList()
            var error = jsErrCode(rawValue: 0)
            let status = natsSubscription_Fetch(
                &list,
                subscription.pointer,
                Int32(batch),
                timeout.natsMilliseconds,
                &error
            )
            defer { natsMsgList_Destroy(&list) }
            if status == NATS_TIMEOUT {
                return []
            }
            try NATSError.check(status, jsError: error, operation: "fetch from consumer \(durable)")
            return (0..<Int(list.Count)).compactMap { index in
                tocsin_nats_list_take(&list, Int32(index)).map(NATSDeliveredMessage.init)
            }
        }
    }

    /// Stops the subscription (the durable consumer and its progress stay on the servers).
    public func close() async {
        let subscription = subscription
        _ = try? await executor.run {
            natsSubscription_Unsubscribe(subscription.pointer)
            natsSubscription_Destroy(subscription.pointer)
        }
        executor.shutdown()
    }
}

extension NATSConnection {
    /// Creates (or updates) the durable consumer on `stream` and subscribes to it.
    public func pullConsumer(stream: String, _ consumer: NATSConsumerConfiguration) async throws -> NATSPullConsumer {
        let subscription = try await blocking { jetStream -> Handle in
            var config = jsConsumerConfig()
            jsConsumerConfig_Init(&config)
            config.AckPolicy = js_AckExplicit
            config.DeliverPolicy = js_DeliverAll
            config.AckWait = consumer.ackWait.natsNanoseconds
            config.MaxDeliver = Int64(consumer.maxDeliver)
            config.MaxAckPending = Int64(consumer.maxAckPending)
            var backoff = consumer.backoff.map(\.natsNanoseconds)
            var error = jsErrCode(rawValue: 0)
            var subscription: OpaquePointer?
            let status = consumer.durable.withCString { durable in
                consumer.filterSubject.withCString { filter in
                    backoff.withUnsafeMutableBufferPointer { steps in
                        config.Durable = durable
                        config.FilterSubject = filter
                        config.BackOff = steps.isEmpty ? nil : steps.baseAddress
                        config.BackOffLen = Int32(steps.count)
                        var info: UnsafeMutablePointer<jsConsumerInfo>?
                        var status = js_AddConsumer(&info, jetStream, stream, &config, nil, &error)
                        // A JetStream error here means, for example, that it exists with another configuration.
                        if status != NATS_OK && error.rawValue != 0 {
                            error = jsErrCode(rawValue: 0)
                            status = js_UpdateConsumer(&info, jetStream, stream, &config, nil, &error)
                        }
                        jsConsumerInfo_Destroy(info)
                        guard status == NATS_OK else {
                            return status
                        }
                        var options = jsSubOptions()
                        jsSubOptions_Init(&options)
                        return stream.withCString { streamName in
                            options.Stream = streamName
                            options.Consumer = durable
                            return js_PullSubscribe(&subscription, jetStream, filter, durable, nil, &options, &error)
                        }
                    }
                }
            }
            try NATSError.check(status, jsError: error, operation: "create consumer \(consumer.durable) on \(stream)")
            return Handle(try required(subscription, "subscribe to consumer \(consumer.durable)"))
        }
        return NATSPullConsumer(subscription: subscription, durable: consumer.durable)
    }
}
#endif
