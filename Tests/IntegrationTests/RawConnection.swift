// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOPosix

/// A plain TCP connection to a test server that records everything it receives, and whether the
/// server closed it, so tests can wait on what the server did to the connection itself.
final class RawConnection: Sendable {
    /// Appends what arrives to the shared record and notes the close.
    private final class Recorder: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let received: Shared<(text: String, closed: Bool)>
        let greeting: String?

        init(_ received: Shared<(text: String, closed: Bool)>, greeting: String?) {
            self.received = received
            self.greeting = greeting
        }

        func channelActive(context: ChannelHandlerContext) {
            if let greeting {
                context.writeAndFlush(Self.wrapOutboundOut(ByteBuffer(string: greeting)), promise: nil)
            }
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = Self.unwrapInboundIn(data)
            received.withLock { $0.text += String(buffer: buffer) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            received.withLock { $0.closed = true }
        }
    }

    private let channel: any Channel
    private let received: Shared<(text: String, closed: Bool)>

    /// Connects to `port` on loopback; with `sending`, writes that text from the event loop the
    /// moment the connection is up, so a busy test process cannot delay it past a server's timeout.
    init(port: Int, sending greeting: String? = nil) async throws {
        let received = Shared<(text: String, closed: Bool)>(("", false))
        self.received = received
        channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Recorder(received, greeting: greeting))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
    }

    /// Sends `text` as it is.
    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text))
    }

    /// Everything received so far.
    var text: String { received.withLock { $0.text } }

    /// Whether the server has closed the connection.
    var isClosed: Bool { received.withLock { $0.closed } }

    /// Waits until `condition` holds for the connection or `timeout` passes; returns whether it held.
    func wait(timeout: Duration = .seconds(20), until condition: (RawConnection) -> Bool) async throws -> Bool {
        try await eventually(timeout: timeout, { condition(self) }, until: { $0 })
    }

    /// Closes the connection from this side.
    func close() async {
        try? await channel.close()
    }
}
