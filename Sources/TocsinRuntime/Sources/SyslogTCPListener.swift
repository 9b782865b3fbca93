// SPDX-License-Identifier: Apache-2.0

import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import TocsinCore
import TocsinSources

/// The syslog TCP listener: RFC 6587 octet counting or newline framing, per connection.
///
/// A connection from outside the allow list, or over ``maxConnections`` open at once, is closed
/// as soon as it is accepted, before anything is read, and counted. A connection that sends
/// nothing for ``idleTimeout`` is closed. Each read's complete messages are appended together
/// before the next read, so a sender faster than the log is slowed down by TCP flow control rather
/// than dropped. A framing error (or a frame over 64 KiB) closes that connection only.
struct SyslogTCPListener: Service {
    let host: String
    let port: Int
    let ingest: SyslogIngest
    let gate: SyslogSenderGate
    let logger: Logger
    /// Connections served at once.
    var maxConnections = 256
    /// How long a connection may stay silent before it is closed.
    var idleTimeout: Duration = .seconds(300)
    let onListening: @Sendable (Int) async -> Void

    func run() async throws {
        let (seconds, attoseconds) = idleTimeout.components
        let idle = TimeAmount.nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        IdleStateHandler(readTimeout: idle), IdleConnectionCloser(),
                    ])
                    // The peer's address is read now: once a sender has closed (it may send a line
                    // and close at once), the channel no longer reports it.
                    let peer = channel.remoteAddress
                    return (peer, try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel))
                }
            }
        await onListening(server.channel.localAddress?.port ?? port)
        let open = ConnectionCount()
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { connections in
                    for try await (peer, connection) in connections {
                        guard gate.admits(peer) else {
                            group.addTask { await Self.refuse(connection) }
                            continue
                        }
                        guard open.enter(maximum: maxConnections) else {
                            gate.drop(.connectionCap, peer: peer)
                            group.addTask { await Self.refuse(connection) }
                            continue
                        }
                        group.addTask {
                            await serve(connection, peer: peer)
                            open.leave()
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            server.channel.close(promise: nil)
        }
    }

    /// Closes a connection without reading from it.
    private static func refuse(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        try? await connection.executeThenClose { _, _ in }
    }

    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, peer address: SocketAddress?) async {
        let peer = "\(address.map { "\($0)" } ?? "-")"
        do {
            try await connection.executeThenClose { inbound, _ in
                try await cancelWhenGracefulShutdown {
                    var framer = SyslogFramer()
                    for try await chunk in inbound {
                        let messages = try framer.append(chunk.readableBytesView)
                        if !messages.isEmpty {
                            try await ingest.ingest(messages, peer: peer)
                        }
                    }
                    if let last = framer.finish() {
                        try await ingest.ingest([last], peer: peer)
                    }
                }
            }
        } catch let error as SourceError {
            logger.warning(
                "Closed a syslog connection on a framing error.",
                metadata: ["peer": "\(peer)", "error": "\(error)"]
            )
        } catch {
            logger.debug("A syslog connection ended.", metadata: ["peer": "\(peer)", "error": "\(error)"])
        }
    }
}

/// The connections being served, shared by the accept loop and the connections' tasks.
private final class ConnectionCount: Sendable {
    private let count = Atomic<Int>(0)

    /// Counts one more connection unless `maximum` are open already.
    func enter(maximum: Int) -> Bool {
        guard count.add(1, ordering: .relaxed).newValue <= maximum else {
            count.subtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    /// Counts a connection that ended.
    func leave() {
        count.subtract(1, ordering: .relaxed)
    }
}

/// Closes a connection when ``IdleStateHandler`` reports that nothing was read for its timeout.
private final class IdleConnectionCloser: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
