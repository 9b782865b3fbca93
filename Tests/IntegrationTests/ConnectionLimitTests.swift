// SPDX-License-Identifier: Apache-2.0

import NIOHTTP1
import Testing
import TocsinTesting

/// Idle HTTP connections are closed, connections are capped, and one identity cannot hold every
/// live stream.
struct ConnectionLimitTests {
    func request(_ path: String, key: String) -> String {
        "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(key)\r\n\r\n"
    }

    @Test("an HTTP connection that sends nothing is closed after the idle timeout")
    func idleConnectionsAreClosed() async throws {
        let directory = try TemporaryDirectory()
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: ["--idle-timeout", "10"]
        )
        defer { Task { _ = await server.terminate() } }
        let silent = try await RawConnection(port: server.port)
        #expect(try await silent.wait(timeout: .seconds(60)) { $0.isClosed }, "the server closes a silent connection")
        // Sent from the event loop as it connects: a loaded test process once took over 10 s to send.
        let served = try await RawConnection(port: server.port, sending: request("/healthz", key: ""))
        #expect(try await served.wait { $0.text.contains("\"ok\"") })
        #expect(try await served.wait(timeout: .seconds(60)) { $0.isClosed }, "and a kept-alive one that goes quiet")
    }

    @Test("a request body that does not arrive in full within --body-timeout closes the connection")
    func slowBodiesAreCut() async throws {
        let directory = try TemporaryDirectory()
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: ["--body-timeout", "1", "--idle-timeout", "600"]
        )
        defer { Task { _ = await server.terminate() } }
        let slow = try await RawConnection(port: server.port)
        try await slow.send(
            "POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(server.adminKey)\r\n"
                + "Content-Type: application/cloudevents+json\r\nContent-Length: 100\r\n\r\n{\"specversion\""
        )
        #expect(try await slow.wait { $0.isClosed }, "the server gives up on the body")
        let stream = try await RawConnection(port: server.port)
        try await stream.send(request("/v1/stream", key: server.adminKey))
        #expect(try await stream.wait { $0.text.contains("retry: 2000") })
        #expect(
            try await !stream.wait(timeout: .seconds(2)) { $0.isClosed },
            "a stream's request has no body to wait for"
        )
        await stream.close()
    }

    @Test("past the connection cap a new connection is served only once another closes")
    func connectionCap() async throws {
        let directory = try TemporaryDirectory()
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: ["--max-connections", "1"]
        )
        defer { Task { _ = await server.terminate() } }
        let first = try await RawConnection(port: server.port)
        try await first.send(request("/healthz", key: ""))
        #expect(try await first.wait { $0.text.contains("\"ok\"") })
        let second = try await RawConnection(port: server.port)
        try await second.send(request("/healthz", key: ""))
        #expect(
            try await !second.wait(timeout: .milliseconds(500)) { $0.text.contains("\"ok\"") },
            "held back by the cap"
        )
        await first.close()
        // A loaded CI run (a hundred servers on two cores) took over 20 s to free the slot.
        #expect(try await second.wait(timeout: .seconds(90)) { $0.text.contains("\"ok\"") })
        await second.close()
    }

    @Test("one identity may hold --max-streams live streams; the next is 429")
    func streamsPerIdentity() async throws {
        let directory = try TemporaryDirectory()
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: ["--max-streams", "1"]
        )
        defer { Task { _ = await server.terminate() } }
        let stream = try await RawConnection(port: server.port)
        try await stream.send(request("/v1/stream", key: server.adminKey))
        #expect(try await stream.wait { $0.text.contains("retry: 2000") })
        let refused = try await call(server.baseURL + "/v1/stream", headers: [server.authorization])
        #expect(refused.status == 429)
        #expect(refused.headers.first(name: "Retry-After") == "5")
        await stream.close()
    }
}
