// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A minimal HTTP/1.1 server on 127.0.0.1 that answers every request 204 (or 200 with the
/// document set by ``serve(_:contentType:)``) and counts them.
///
/// It answers on its NIO event loop, never on Swift's cooperative pool, so a test process whose
/// pool is busy with other tests still answers a server under test at once.
public final class LoopbackReceiver: Sendable {
    private let channel: any Channel
    private let recorder: Recorder
    /// The port it listens on.
    public let port: Int

    private init(channel: any Channel, recorder: Recorder, port: Int) {
        self.channel = channel
        self.recorder = recorder
        self.port = port
    }

    /// How many requests it received.
    public var requests: Int { recorder.seen.withLock { $0.count } }
    /// The `Host` header of each request.
    public var hosts: [String] { recorder.seen.withLock { $0 } }
    /// The `traceparent` header of each request ("" when it had none).
    public var traceparents: [String] { recorder.traceparents.withLock { $0 } }
    /// Each whole request received: its headers and its body.
    public var received: [ReceivedRequest] { recorder.received.withLock { $0 } }

    /// From now on answers every request 200 with `document`.
    public func serve(_ document: [UInt8], contentType: String = "application/json") {
        recorder.document.withLock { $0 = (document, contentType) }
    }

    /// Starts listening on a port the kernel picks.
    public static func start() async throws -> LoopbackReceiver {
        let recorder = Recorder()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(NoContentHandler(recorder: recorder))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return LoopbackReceiver(channel: channel, recorder: recorder, port: channel.localAddress?.port ?? 0)
    }

    /// Closes the listening socket without waiting.
    public func stop() {
        channel.close(promise: nil)
    }

    /// Closes the listening socket and waits until it is closed.
    public func close() async {
        try? await channel.close().get()
    }
}

/// One request a ``LoopbackReceiver`` received.
public struct ReceivedRequest: Sendable, Hashable {
    /// The headers, by lower-cased name (the last value of a repeated header).
    public var headers: [String: String]
    /// The body.
    public var body: [UInt8]
}

/// The Host headers of the requests received.
private final class Recorder: Sendable {
    let seen = Mutex<[String]>([])
    let traceparents = Mutex<[String]>([])
    let received = Mutex<[ReceivedRequest]>([])
    let document = Mutex<(body: [UInt8], contentType: String)?>(nil)

    func record(_ host: String, traceparent: String) {
        seen.withLock { $0.append(host) }
        traceparents.withLock { $0.append(traceparent) }
    }
}

private final class NoContentHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let recorder: Recorder
    /// The request being read on this handler's connection.
    private let current = Mutex(ReceivedRequest(headers: [:], body: []))

    init(recorder: Recorder) {
        self.recorder = recorder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            recorder.record(
                head.headers.first(name: "Host") ?? "",
                traceparent: head.headers.first(name: "traceparent") ?? ""
            )
            let headers = Dictionary(head.headers.map { ($0.name.lowercased(), $0.value) }) { _, last in last }
            current.withLock { $0 = ReceivedRequest(headers: headers, body: []) }
        case .body(let buffer):
            current.withLock { $0.body += buffer.readableBytesView }
        case .end:
            let request = current.withLock { $0 }
            recorder.received.withLock { $0.append(request) }
            let document = recorder.document.withLock { $0 }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Length", value: "\(document?.body.count ?? 0)")
            if let document {
                headers.add(name: "Content-Type", value: document.contentType)
            }
            let status: HTTPResponseStatus = document == nil ? .noContent : .ok
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))),
                promise: nil
            )
            if let document {
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: document.body)))), promise: nil)
            }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
