// SPDX-License-Identifier: Apache-2.0

#if NATS
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import Testing
import TocsinCore
import TocsinTesting

/// A real `tocsin serve --backend nats` child process on a loopback port chosen by the kernel (the
/// NATS twin of `IntegrationTests`' `ServerProcess`).
final class TocsinNode: Sendable {
    let process: Process
    let port: Int
    let dataDirectory: String

    var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(process: Process, port: Int, dataDirectory: String) {
        self.process = process
        self.port = port
        self.dataDirectory = dataDirectory
    }

    /// The `tocsin` executable built next to the test bundle (or `TOCSIN_BINARY`).
    static var binary: String { TocsinExecutable.path }

    /// Starts a node on `cluster` and waits until it prints its listening address.
    ///
    /// `credentials` replaces the cluster's client credentials (``NATSTestCluster/credentialArguments``);
    /// `urls` the seed list (region a's servers).
    static func start(
        name: String,
        cluster: NATSTestCluster,
        dataDirectory: String,
        credentials: [String]? = nil,
        urls: [String]? = nil,
        arguments: [String] = []
    ) async throws -> TocsinNode {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments =
            [
                "serve", "--data-dir", dataDirectory, "--http", "127.0.0.1:0", "--checkpoint-seconds", "3600",
                "--backend", "nats", "--nats-url", (urls ?? cluster.urls).joined(separator: ","), "--node-name", name,
            ] + (credentials ?? cluster.credentialArguments) + arguments
        let output = Pipe()
        process.standardOutput = output
        let logPath = dataDirectory + ".log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try ProcessLaunch.run(process)
        let port: Int
        do {
            port = try await TocsinExecutable.listeningPort(from: output.fileHandleForReading, errorLog: logPath)
        } catch {
            Foundation.kill(process.processIdentifier, SIGKILL)
            throw error
        }
        return TocsinNode(process: process, port: port, dataDirectory: dataDirectory)
    }

    /// Runs `body` with two nodes `a` (started first, so it creates the admin identity) and `b` on
    /// `cluster`, their data under `directory`, both started with `arguments`; stops both however
    /// `body` ends.
    static func withTwo(
        cluster: NATSTestCluster,
        directory: String,
        arguments: [String],
        _ body: (TocsinNode, TocsinNode) async throws -> Void
    ) async throws {
        let a = try await start(name: "a", cluster: cluster, dataDirectory: directory + "/a", arguments: arguments)
        try await a.stopping {
            let b = try await start(name: "b", cluster: cluster, dataDirectory: directory + "/b", arguments: arguments)
            try await b.stopping {
                try await body(a, b)
            }
        }
    }

    /// The admin key this node wrote when it created the cluster's admin identity.
    var adminKey: String {
        (try? String(contentsOfFile: dataDirectory + "/admin.key", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    /// What the node logged so far (for failure messages).
    var log: String {
        (try? String(contentsOfFile: dataDirectory + ".log", encoding: .utf8)) ?? ""
    }

    /// Sends SIGTERM and waits until the process is gone.
    func stop() async {
        guard process.exitIfEnded == nil else {
            return
        }
        process.terminate()
        _ = await process.exit(within: .seconds(120))
    }

    /// Runs `body`, then stops the node, also when `body` throws.
    func stopping(after body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            await stop()
            throw error
        }
        await stop()
    }

    /// Sends `method` to `path` with `key` as the bearer token, and returns the answer.
    func call(
        _ path: String,
        method: HTTPMethod = .GET,
        key: String,
        body: [UInt8]? = nil,
        contentType: String = "application/json"
    ) async throws -> NodeAnswer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return NodeAnswer(
            status: Int(response.status.code),
            retryAfter: response.headers.first(name: "Retry-After"),
            body: Array(buffer: bytes)
        )
    }

    /// Publishes one structured CloudEvent.
    func publish(
        id: String,
        key: String,
        type: String = "test.ping",
        subject: String? = nil,
        time: String? = nil
    ) async throws -> NodeAnswer {
        let extra = (subject.map { #","subject":"\#($0)""# } ?? "") + (time.map { #","time":"\#($0)""# } ?? "")
        let event =
            #"{"specversion":"1.0","id":"\#(id)","source":"nats-serve-test","type":"\#(type)"\#(extra),"data":{"n":1}}"#
        return try await call(
            "/v1/events",
            method: .POST,
            key: key,
            body: Array(event.utf8),
            contentType: "application/cloudevents+json"
        )
    }
}

/// One HTTP answer.
struct NodeAnswer: Sendable {
    let status: Int
    let retryAfter: String?
    let body: [UInt8]

    var json: JSONValue? { try? JSONParser().parse(body) }
    var text: String { String(decoding: body, as: UTF8.self) }
}

extension JSONValue {
    /// The value as a whole number, when it is one.
    var integer: Int64? {
        guard case .number(let number) = self else {
            return nil
        }
        return number.int64Value
    }
}

#endif
