// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOPosix
import Synchronization

/// A TCP relay on 127.0.0.1 that a test can cut and restore, to stand for a network link.
///
/// Each connection accepted is relayed byte for byte to the target port. ``cut()`` closes every
/// relayed connection and from then on closes each new one at once, as a lost link would;
/// ``restore()`` relays again, so a client that reconnects (a NATS leafnode) finds the link back.
/// The listening socket stays open throughout, so its port cannot be taken meanwhile. Relaying
/// happens on NIO event loops, never on Swift's cooperative pool.
public final class TCPProxy: Sendable {
    private struct State {
        var listener: (any Channel)?
        var isCut = false
        var connections: [ObjectIdentifier: any Channel] = [:]
    }

    private let targetPort: Int
    private let state = Mutex(State())

    private init(targetPort: Int) {
        self.targetPort = targetPort
    }

    /// Starts relaying connections to `targetPort` on 127.0.0.1, from a port the kernel picks.
    public static func start(forwardingTo targetPort: Int) async throws -> TCPProxy {
        let proxy = TCPProxy(targetPort: targetPort)
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { inbound in
                guard !proxy.isCut else {
                    return inbound.close()
                }
                return ClientBootstrap(group: inbound.eventLoop)
                    .connect(host: "127.0.0.1", port: targetPort)
                    .flatMapThrowing { outbound in
                        try outbound.pipeline.syncOperations.addHandler(Relay(peer: inbound))
                        try inbound.pipeline.syncOperations.addHandler(Relay(peer: outbound))
                        proxy.track(inbound)
                        proxy.track(outbound)
                    }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        proxy.state.withLock { $0.listener = listener }
        return proxy
    }

    /// The port it listens on.
    public var port: Int { state.withLock { $0.listener?.localAddress?.port ?? 0 } }

    /// Whether the link is cut.
    public var isCut: Bool { state.withLock { $0.isCut } }

    /// Relays new connections again.
    public func restore() {
        state.withLock { $0.isCut = false }
    }

    /// Closes every relayed connection, and each new one until ``restore()``.
    public func cut() async {
        let connections = state.withLock { state in
            state.isCut = true
            defer { state.connections = [:] }
            return Array(state.connections.values)
        }
        for connection in connections {
            try? await connection.close()
        }
    }

    /// Stops listening and closes every connection.
    public func stop() async {
        await cut()
        let listener = state.withLock { $0.listener }
        try? await listener?.close()
    }

    private func track(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        // A connection accepted before a cut whose relay was set up after it is closed too.
        let isCut = state.withLock { state in
            if !state.isCut {
                state.connections[key] = channel
            }
            return state.isCut
        }
        guard !isCut else {
            channel.close(promise: nil)
            return
        }
        channel.closeFuture.whenComplete { [self] _ in
            state.withLock { _ = $0.connections.removeValue(forKey: key) }
        }
    }
}

/// Writes what one side reads to the other, and closes the other side when this one closes.
private final class Relay: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let peer: any Channel

    init(peer: any Channel) {
        self.peer = peer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        peer.writeAndFlush(unwrapInboundIn(data), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        peer.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
