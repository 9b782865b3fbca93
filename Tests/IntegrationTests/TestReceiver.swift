// SPDX-License-Identifier: Apache-2.0

import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// A real HTTP receiver on a loopback port, scripted per test: succeed, fail with a status (and a
/// `Retry-After`), hang past the caller's timeout, or fail a number of times and then recover.
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
    }

    private let state = Mutex<(mode: Mode, received: [Received])>((.ok, []))
    /// The listener's task; never cancelled (see ``stop()``).
    private let task: Task<Void, any Error>
    let port: Int

    var url: String { "http://127.0.0.1:\(port)/hook" }

    private init(task: Task<Void, any Error>, port: Int) {
        self.task = task
        self.port = port
    }

    /// Starts a receiver in `mode`.
    static func start(_ mode: Mode = .ok) async throws -> TestReceiver {
        let box = Mutex<TestReceiver?>(nil)
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 16 * 1024 * 1024)
            var headers: [String: String] = [:]
            for field in request.headers {
                headers[field.name.canonicalName.lowercased()] = field.value
            }
            guard let receiver = box.withLock({ $0 }) else {
                return Response(status: .serviceUnavailable)
            }
            return await receiver.answer(Received(path: "/hook", headers: headers, body: Array(body.readableBytesView)))
        }
        let (task, port) = await startOnLoopback(router)
        let receiver = TestReceiver(task: task, port: port)
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

    /// How many distinct idempotency keys arrived (what a de-duplicating receiver processed).
    var distinctKeys: Set<String> {
        Set(received.compactMap { $0.headers["idempotency-key"] })
    }

    private func answer(_ request: Received) async -> Response {
        let mode = state.withLock { state -> Mode in
            state.received.append(request)
            if case .failThenOK(let failures, let status) = state.mode {
                state.mode = failures > 1 ? .failThenOK(failures: failures - 1, status: status) : .ok
                return .status(status)
            }
            return state.mode
        }
        switch mode {
        case .ok, .failThenOK:
            return Response(status: .ok)
        case .status(let code, let retryAfter):
            var headers = HTTPFields()
            if let retryAfter {
                headers[.retryAfter] = retryAfter
            }
            return Response(status: .init(code: code), headers: headers)
        case .hang(let duration):
            try? await Task.sleep(for: duration)
            return Response(status: .ok)
        }
    }

    /// Ends the receiver's part in its test: from now on every request is refused with 503.
    ///
    /// The listener itself stays open until the test process exits. A Tocsin server a test has not yet
    /// stopped may still be delivering; a Hummingbird server shut down while it accepts such a connection
    /// traps (`Deinited NIOAsyncWriter without calling finish()`) and takes the whole test process down.
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

/// Runs `router` on a loopback port the kernel picks; returns the serving task and the port.
func startOnLoopback(_ router: Router<BasicRequestContext>) async -> (Task<Void, any Error>, Int) {
    let (ports, portContinuation) = AsyncStream<Int>.makeStream()
    let application = Application(
        router: router,
        configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) }
    )
    let task = Task { try await application.runService(gracefulShutdownSignals: []) }
    var port = 0
    for await value in ports {
        port = value
        break
    }
    return (task, port)
}
