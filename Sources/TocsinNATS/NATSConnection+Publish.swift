// SPDX-License-Identifier: Apache-2.0

#if NATS
internal import CNats
import Synchronization

/// A message to publish to a stream, with the id JetStream deduplicates on (`Nats-Msg-Id`).
public struct NATSOutgoingMessage: Sendable, Hashable {
    /// The subject.
    public var subject: String
    /// The payload.
    public var payload: [UInt8]
    /// The deduplication id: a second message with the same id inside the stream's duplicate window
    /// is not stored, and its acknowledgement names the first one's sequence.
    public var messageID: String
    /// When set, the stream stores the message only if its last sequence is this one (0: the stream is
    /// empty), and otherwise refuses it with ``NATSError/Code/wrongRevision`` (`Nats-Expected-Last-Sequence`).
    ///
    /// The id check comes first: a duplicate is acknowledged as such whatever the last sequence.
    public var expectedLastSequence: UInt64?

    /// Creates a message.
    public init(subject: String, payload: [UInt8], messageID: String, expectedLastSequence: UInt64? = nil) {
        self.subject = subject
        self.payload = payload
        self.messageID = messageID
        self.expectedLastSequence = expectedLastSequence
    }
}

/// The stream's acknowledgement of one published message.
public struct NATSPublishAck: Sendable, Hashable {
    /// The stream that stored it.
    public var stream: String
    /// Its stream sequence (the first copy's, for a duplicate).
    public var sequence: UInt64
    /// Whether a message with the same id was already stored.
    public var isDuplicate: Bool
}

extension NATSConnection {
    /// Publishes `messages` asynchronously and waits for every acknowledgement.
    ///
    /// All messages are written at once (up to ``NATSConnectionConfiguration/maxPendingPublishes``
    /// in flight); each gets its own result, in order. A message that is not acknowledged within
    /// ``NATSConnectionConfiguration/publishAckTimeout`` fails with ``NATSError/Code/unavailable``:
    /// it may or may not be stored, so publish it again with the same id.
    public func publish(_ messages: [NATSOutgoingMessage]) async -> [Result<NATSPublishAck, NATSError>] {
        guard !messages.isEmpty else {
            return []
        }
        let jetStream = Handle(jetStream)
        let pendingAcks = pendingAcks
        let ackWait = configuration.publishAckTimeout.natsMilliseconds
        return await withCheckedContinuation { continuation in
            let batch = PublishBatch(count: messages.count, continuation: continuation)
            let accepted = executor.submit {
                var options = jsPubOptions()
                jsPubOptions_Init(&options)
                options.MaxWait = ackWait
                for (index, message) in messages.enumerated() {
                    pendingAcks.register(message.messageID, PendingAcks.Waiter(batch: batch, index: index))
                    let status = submit(message, jetStream: jetStream.pointer, options: &options)
                    if status != NATS_OK,
                        pendingAcks.remove(message.messageID, batch: batch, index: index)
                    {
                        batch.complete(index, .failure(.from(status, operation: "publish to \(message.subject)")))
                    }
                }
            }
            if !accepted {
                let closed = NATSError(code: .closed, message: "the NATS connection is closed; reconnect to publish")
                for index in messages.indices {
                    batch.complete(index, .failure(closed))
                }
            }
        }
    }

    /// Publishes one message and waits for its acknowledgement.
    ///
    /// - Throws: ``NATSError``; on ``NATSError/Code/unavailable`` publish again with the same id.
    public func publish(_ message: NATSOutgoingMessage) async throws -> NATSPublishAck {
        try await publish([message])[0].get()
    }
}

private func submit(_ message: NATSOutgoingMessage, jetStream: OpaquePointer, options: inout jsPubOptions) -> natsStatus
{
    var natsMessage: OpaquePointer?
    var status = message.payload.withUnsafeBytes { bytes in
        natsMsg_Create(&natsMessage, message.subject, nil, bytes.baseAddress, Int32(bytes.count))
    }
    guard status == NATS_OK else {
        return status
    }
    status = natsMsgHeader_Set(natsMessage, "Nats-Msg-Id", message.messageID)
    // Set as a header rather than `jsPubOptions.ExpectLastSeq`, where 0 means "no expectation".
    if status == NATS_OK, let expected = message.expectedLastSequence {
        status = natsMsgHeader_Set(natsMessage, "Nats-Expected-Last-Sequence", String(expected))
    }
    if status == NATS_OK {
        status = js_PublishMsgAsync(jetStream, &natsMessage, &options)
    }
    // On success libnats owns the message and clears the pointer; otherwise it is still ours.
    if natsMessage != nil {
        natsMsg_Destroy(natsMessage)
    }
    return status
}

/// Called by libnats, on its own thread, once per asynchronously published message.
let publishAckHandler: jsPubAckHandler = { _, message, ack, failure, closure in
    guard let closure, let message else {
        return
    }
    defer { natsMsg_Destroy(message) }
    let pendingAcks = Unmanaged<PendingAcks>.fromOpaque(closure).takeUnretainedValue()
    var value: UnsafePointer<CChar>?
    guard natsMsgHeader_Get(message, "Nats-Msg-Id", &value) == NATS_OK, let value else {
        return
    }
    let id = String(cString: value)
    if let ack {
        let stream = ack.pointee.Stream.map { String(cString: $0) } ?? ""
        pendingAcks.complete(
            id,
            .success(NATSPublishAck(stream: stream, sequence: ack.pointee.Sequence, isDuplicate: ack.pointee.Duplicate))
        )
    } else if let failure {
        pendingAcks.complete(
            id,
            .failure(.from(failure.pointee.Err, jsError: failure.pointee.ErrCode, operation: "publish acknowledgement"))
        )
    }
}

/// The publishes waiting for their acknowledgement, by message id, oldest first.
final class PendingAcks: Sendable {
    struct Waiter: Sendable {
        let batch: PublishBatch
        let index: Int
    }

    private let waiters = Mutex<[String: [Waiter]]>([:])

    func register(_ id: String, _ waiter: Waiter) {
        waiters.withLock { $0[id, default: []].append(waiter) }
    }

    /// Removes a waiter whose publish failed before it was sent; `false` when it was already answered.
    func remove(_ id: String, batch: PublishBatch, index: Int) -> Bool {
        waiters.withLock { waiters in
            guard let position = waiters[id]?.firstIndex(where: { $0.batch === batch && $0.index == index }) else {
                return false
            }
            waiters[id]?.remove(at: position)
            if waiters[id]?.isEmpty == true {
                waiters[id] = nil
            }
            return true
        }
    }

    func complete(_ id: String, _ result: Result<NATSPublishAck, NATSError>) {
        let waiter = waiters.withLock { waiters -> Waiter? in
            guard var list = waiters[id], !list.isEmpty else {
                return nil
            }
            let first = list.removeFirst()
            waiters[id] = list.isEmpty ? nil : list
            return first
        }
        if let waiter {
            waiter.batch.complete(waiter.index, result)
        }
    }

    func failAll(_ error: NATSError) {
        let all = waiters.withLock { waiters in
            defer { waiters = [:] }
            return waiters.values.flatMap { $0 }
        }
        for waiter in all {
            waiter.batch.complete(waiter.index, .failure(error))
        }
    }
}

/// The results of one ``NATSConnection/publish(_:)-([NATSOutgoingMessage])`` call, resumed when the last arrives.
final class PublishBatch: Sendable {
    private struct State {
        var results: [Result<NATSPublishAck, NATSError>?]
        var remaining: Int
        var continuation: CheckedContinuation<[Result<NATSPublishAck, NATSError>], Never>?
    }

    private let state: Mutex<State>

    init(count: Int, continuation: CheckedContinuation<[Result<NATSPublishAck, NATSError>], Never>) {
        state = Mutex(State(results: Array(repeating: nil, count: count), remaining: count, continuation: continuation))
    }

    func complete(_ index: Int, _ result: Result<NATSPublishAck, NATSError>) {
        let finished = state.withLock {
            state -> (
                CheckedContinuation<[Result<NATSPublishAck, NATSError>], Never>, [Result<NATSPublishAck, NATSError>]
            )? in
            guard state.results[index] == nil else {
                return nil
            }
            state.results[index] = result
            state.remaining -= 1
            guard state.remaining == 0, let continuation = state.continuation else {
                return nil
            }
            state.continuation = nil
            return (continuation, state.results.compactMap { $0 })
        }
        if let (continuation, results) = finished {
            continuation.resume(returning: results)
        }
    }
}
#endif
