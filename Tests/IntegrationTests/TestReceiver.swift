// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A real HTTP receiver on a loopback port, scripted per test: succeed, fail with a status (and a
/// `Retry-After`), hang past the caller's timeout, or fail a number of times and then recover.
///
/// It answers on its NIO event loop, never on Swift's cooperative pool: while the whole suite runs,
/// that pool is busy with other tests, and a receiver waiting for it would look like a slow or
/// dead target to the server under test.
final class TestReceiver: Sendable {
    enum Mode: Sendable {
        case ok
        case status(Int, retryAfter: String? = nil)
        case hang(Duration)
        case failThenOK(failures: Int, status: Int)
    }

    struct Received: Sendable {
        var path: String
        var headers: [String: String]
        var body: [UInt8]
        /// When the receiver took the request.
        var at: ContinuousClock.Instant = .now
        /// The status it answered.
        var status = 0
    }

    /// The largest body it reads.
    static let maxBodyBytes = 16 * 1024 * 1024

    private let state = Mutex<(mode: Mode, received: [Received])>((.ok, []))
    let port: Int

    var url: String { "http://127.0.0.1:\(port)/hook" }

    private init(port: Int) {
        self.port = port
    }

    /// Starts a receiver in `mode`.
    static func start(_ mode: Mode = .ok) async throws -> TestReceiver {
        let box = Mutex<TestReceiver?>(nil)
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(RequestHandler(receiver: box.withLock { $0 }))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        // The listener is never closed (see ``stop()``); its event loop keeps it open.
        let receiver = TestReceiver(port: listener.localAddress?.port ?? 0)
        receiver.setMode(mode)
        box.withLock { $0 = receiver }
        return receiver
    }

    func setMode(_ mode: Mode) {
        state.withLock { $0.mode = mode }
    }

    /// Every request received so far.
    var received: [Received] {
        state.withLock { $0.received }
    }

    /// The requests answered with a 2xx status: what the sender may count as delivered.
    var delivered: [Received] {
        received.filter { (200..<300).contains($0.status) }
    }

    /// How many distinct idempotency keys arrived (what a de-duplicating receiver processed).
    var distinctKeys: Set<String> {
        Set(received.compactMap { $0.headers["idempotency-key"] })
    }

    /// Records `request` and returns the answer: a status, its `Retry-After`, and how long to hold it back.
    fileprivate func answer(_ request: Received) -> (status: Int, retryAfter: String?, delay: Duration) {
        state.withLock { state in
            var mode = state.mode
            if case .failThenOK(let failures, let status) = mode {
                state.mode = failures > 1 ? .failThenOK(failures: failures - 1, status: status) : .ok
                mode = .status(status)
            }
            let answer: (status: Int, retryAfter: String?, delay: Duration) =
                switch mode {
                case .ok, .failThenOK: (200, nil, .zero)
                case .status(let code, let retryAfter): (code, retryAfter, .zero)
                case .hang(let duration): (200, nil, duration)
                }
            var answered = request
            answered.status = answer.status
            state.received.append(answered)
            return answer
        }
    }

    /// Ends the receiver's part in its test: from now on every request is refused with 503.
    ///
    /// The listener itself stays open until the test process exits, so a Tocsin server a test has
    /// not yet stopped meets a refusal, not a closed port it would have to reconnect to.
    func stop() {
        state.withLock { $0.mode = .status(503, retryAfter: nil) }
    }

    /// Waits until `condition` holds or `timeout` passes; returns whether it held.
    func waitFor(timeout: Duration = .seconds(15), _ condition: @Sendable (TestReceiver) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(self) {
                return true
            }
            try? await Task.sleep(for: .milliseconds(25))
        }
        return condition(self)
    }
}

/// Reads one request at a time on its connection's event loop and answers it as the receiver's mode says.
private final class RequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let receiver: TestReceiver?
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(receiver: TestReceiver?) {
        self.receiver = receiver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(var chunk):
            if body.count + chunk.readableBytes <= TestReceiver.maxBodyBytes {
                body += chunk.readBytes(length: chunk.readableBytes) ?? []
            }
        case .end:
            guard let head else {
                return
            }
            self.head = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        var headers: [String: String] = [:]
        for (name, value) in head.headers {
            headers[name.lowercased()] = value
        }
        let request = TestReceiver.Received(path: head.uri, headers: headers, body: body)
        let answer = receiver?.answer(request) ?? (503, nil, .zero)
        var fields = HTTPHeaders()
        fields.add(name: "Content-Length", value: "0")
        if let retryAfter = answer.retryAfter {
            fields.add(name: "Retry-After", value: retryAfter)
        }
        let response = HTTPResponseHead(
            version: head.version,
            status: HTTPResponseStatus(statusCode: answer.status),
            headers: fields
        )
        let write = {
            context.write(self.wrapOutboundOut(.head(response)), promise: nil)
            context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
        }
        if answer.delay == .zero {
            write()
        } else {
            let (seconds, attoseconds) = answer.delay.components
            let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
            context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(nanoseconds)) { write() }
        }
    }
}
