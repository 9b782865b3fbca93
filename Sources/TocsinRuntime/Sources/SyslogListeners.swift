// SPDX-License-Identifier: Apache-2.0

import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import TocsinCore
import TocsinMetrics
import TocsinSources

/// The syslog UDP listener: one message per datagram.
///
/// Datagrams from senders outside the allow list are dropped and counted before they are read.
/// The others are taken off the socket as fast as they come and appended in batches by a second
/// task, so a commit's fsync never stalls the socket; beyond ``maxPending`` messages waiting for
/// the log, datagrams are dropped and counted (UDP senders cannot be slowed down).
struct SyslogUDPListener: Service {
    let host: String
    let port: Int
    let ingest: SyslogIngest
    let gate: SyslogSenderGate
    let logger: Logger
    let onListening: @Sendable (Int) async -> Void
    var maxPending = 100_000

    func run() async throws {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.receivePacketInfo, value: false)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(
                        wrappingChannelSynchronously: channel
                    )
                }
            }
        await onListening(channel.channel.localAddress?.port ?? port)
        let pending = PendingMessages(capacity: maxPending)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while let batch = await pending.takeAll() {
                    do {
                        try await ingest.ingest(batch.map(\.message), peer: batch[0].peer)
                    } catch {
                        logger.error(
                            "Syslog messages could not be stored.",
                            metadata: ["error": "\(error)", "count": "\(batch.count)"]
                        )
                    }
                }
            }
            try await withGracefulShutdownHandler {
                try await channel.executeThenClose { inbound, _ in
                    for try await envelope in inbound {
                        guard gate.admits(envelope.remoteAddress) else {
                            continue
                        }
                        let message = Self.trimmed(Array(envelope.data.readableBytesView))
                        if !pending.push(message, peer: "\(envelope.remoteAddress)") {
                            ingest.metrics.dropped(.backlogFull)
                            let total = pending.dropped
                            if total % 1000 == 1 {
                                logger.warning(
                                    "Syslog UDP backlog full; dropping datagrams.",
                                    metadata: ["dropped.total": "\(total)"]
                                )
                            }
                        }
                    }
                }
            } onGracefulShutdown: {
                channel.channel.close(promise: nil)
            }
            pending.finish()
            try await group.waitForAll()
        }
    }

    static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        var end = bytes.count
        while end > 0,
            bytes[end - 1] == UInt8(ascii: "\n") || bytes[end - 1] == UInt8(ascii: "\r") || bytes[end - 1] == 0
        {
            end -= 1
        }
        return Array(bytes[..<end])
    }
}

/// Datagrams waiting for the log; the consumer takes everything waiting at once (one commit).
final class PendingMessages: Sendable {
    private struct State: Sendable {
        var items: [(message: [UInt8], peer: String)] = []
        var waiter: CheckedContinuation<Void, Never>?
        var isFinished = false
        var dropped = 0
    }

    private let state = Mutex(State())
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// How many messages were dropped because the backlog was full.
    var dropped: Int {
        state.withLock { $0.dropped }
    }

    /// Queues a message; `false` (and counted as dropped) when the backlog is full.
    func push(_ message: [UInt8], peer: String) -> Bool {
        let (accepted, waiter) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
            guard state.items.count < capacity else {
                state.dropped += 1
                return (false, nil)
            }
            state.items.append((message, peer))
            defer { state.waiter = nil }
            return (true, state.waiter)
        }
        waiter?.resume()
        return accepted
    }

    /// Ends the queue; the consumer gets what is left, then `nil`.
    func finish() {
        let waiter = state.withLock { state in
            state.isFinished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Everything waiting (at least one message), or `nil` once finished and empty.
    func takeAll() async -> [(message: [UInt8], peer: String)]? {
        while true {
            let taken: [(message: [UInt8], peer: String)]?? = state.withLock { state in
                if !state.items.isEmpty {
                    defer { state.items.removeAll(keepingCapacity: true) }
                    return .some(state.items)
                }
                return state.isFinished ? .some(nil) : nil
            }
            if let taken {
                return taken
            }
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    if !state.items.isEmpty || state.isFinished {
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow {
                    continuation.resume()
                }
            }
        }
    }
}
