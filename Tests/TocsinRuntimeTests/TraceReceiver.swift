// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// An HTTP/1.1 receiver on 127.0.0.1 that answers 204 and keeps each request's `traceparent`.
final class TraceReceiver: Sendable {
    private let channel: any Channel
    private let seen: Seen
    let port: Int

    private init(channel: any Channel, seen: Seen, port: Int) {
        self.channel = channel
        self.seen = seen
        self.port = port
    }

    /// The `traceparent` header of every request received (empty when one had none).
    var traceparents: [String] { seen.values.withLock { $0 } }

    static func start() async throws -> TraceReceiver {
        let seen = Seen()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(seen: seen))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return TraceReceiver(channel: channel, seen: seen, port: channel.localAddress?.port ?? 0)
    }

    func stop() {
        channel.close(promise: nil)
    }

    private final class Seen: Sendable {
        let values = Mutex<[String]>([])
    }

    private final class Handler: ChannelInboundHandler, Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private let seen: Seen

        init(seen: Seen) {
            self.seen = seen
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                let value = head.headers.first(name: "traceparent") ?? ""
                seen.values.withLock { $0.append(value) }
            case .body:
                break
            case .end:
                var headers = HTTPHeaders()
                headers.add(name: "Content-Length", value: "0")
                context.write(
                    wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .noContent, headers: headers))),
                    promise: nil
                )
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
