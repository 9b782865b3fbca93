// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import TocsinCore
import TocsinTesting

/// A real `tocsin serve` child process on a loopback port chosen by the kernel.
final class ServerProcess: Sendable {
    let process: Process
    let port: Int
    let dataDirectory: String

    var baseURL: String { "http://127.0.0.1:\(port)" }

    var adminKey: String {
        (try? String(contentsOfFile: dataDirectory + "/admin.key", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    private init(process: Process, port: Int, dataDirectory: String) {
        self.process = process
        self.port = port
        self.dataDirectory = dataDirectory
    }

    /// Kills a server its test left running: a test that fails before its `terminate()` must not
    /// leave a server loading the machine for the tests after it.
    deinit {
        if process.exitIfEnded == nil {
            Foundation.kill(process.processIdentifier, SIGKILL)
        }
    }

    /// The `tocsin` executable built next to the test bundle (or `TOCSIN_BINARY`).
    static var binary: String { TocsinExecutable.path }

    /// Starts the server and waits until it prints its listening address.
    ///
    /// Unless `arguments` set `--checkpoint-seconds`, time-driven checkpoints are pushed an hour
    /// out: each checkpoint appends its `tocsin.checkpoint.signed` announcement, and a test that
    /// takes longer than the default minute on a loaded machine would see it shift its sequence
    /// numbers. Checkpoint timing is tested where it is the subject (`WitnessTests`).
    static func start(
        dataDirectory: String,
        arguments: [String] = [],
        environment: [String: String] = [:],
        allowsLoopbackTargets: Bool = true
    ) async throws -> ServerProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        let checkpoints = arguments.contains("--checkpoint-seconds") ? [] : ["--checkpoint-seconds", "3600"]
        // Test receivers listen on loopback, which the outbound network policy refuses by default.
        let loopback =
            allowsLoopbackTargets ? ["--allow-target-network", "127.0.0.0/8", "--allow-target-network", "::1/128"] : []
        process.arguments =
            ["serve", "--data-dir", dataDirectory, "--http", "127.0.0.1:0"] + checkpoints + loopback + arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let output = Pipe()
        process.standardOutput = output
        let logPath = dataDirectory + ".log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try ProcessLaunch.run(process)
        let port: Int
        do {
            port = try await TocsinExecutable.listeningPort(
                from: output.fileHandleForReading,
                alsoAwaiting: syslogLines(arguments),
                errorLog: logPath
            )
        } catch {
            Foundation.kill(process.processIdentifier, SIGKILL)
            let exit = await process.exit(within: .seconds(60))
            throw HarnessError(description: "\(error) [\(exit.map(String.init(describing:)) ?? "still running")]")
        }
        return ServerProcess(process: process, port: port, dataDirectory: dataDirectory)
    }

    /// The line each syslog listener in `arguments` prints once it listens: the listeners start
    /// beside the HTTP server, in no fixed order, and a test must not connect before them.
    static func syslogLines(_ arguments: [String]) -> [String] {
        ["tcp", "udp"].filter { arguments.contains("--syslog-\($0)") }.map { "Syslog listening on \($0)://" }
    }

    /// Sends SIGTERM and returns the exit status.
    func terminate() async -> Int32 {
        process.terminate()
        return await waitForExit()
    }

    /// Sends SIGKILL (a crash) and waits until the process is gone.
    func kill() async {
        Foundation.kill(process.processIdentifier, SIGKILL)
        _ = await waitForExit()
    }

    /// The exit status (the signal's number when a signal ended it), or -1 when the server is
    /// still running after five minutes.
    private func waitForExit() async -> Int32 {
        await process.exit(within: .seconds(300))?.status ?? -1
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
}

/// A parsed HTTP answer.
struct HTTPAnswer: Sendable {
    let status: Int
    let headers: HTTPHeaders
    let body: [UInt8]

    var json: JSONValue? { try? JSONParser().parse(body) }
}

/// Sends one request with AsyncHTTPClient.
func call(
    _ url: String,
    method: HTTPMethod = .GET,
    headers: [(String, String)] = [],
    body: [UInt8]? = nil,
    timeout: TimeAmount = .seconds(30)
) async throws -> HTTPAnswer {
    var request = HTTPClientRequest(url: url)
    request.method = method
    for (name, value) in headers {
        request.headers.add(name: name, value: value)
    }
    if let body {
        request.body = .bytes(ByteBuffer(bytes: body))
    }
    let response = try await HTTPClient.shared.execute(request, timeout: timeout)
    let collected = try await response.body.collect(upTo: 64 * 1024 * 1024)
    return HTTPAnswer(
        status: Int(response.status.code),
        headers: response.headers,
        body: Array(collected.readableBytesView)
    )
}

/// Runs the `tocsin` binary with `arguments` (and `input` on standard input) and returns its exit
/// status, standard output and standard error.
func runTocsin(
    _ arguments: [String],
    environment: [String: String] = [:],
    input: [UInt8] = []
) async throws -> (status: Int32, output: String, errors: String) {
    try await runProgram(ServerProcess.binary, arguments, environment: environment, input: input)
}

/// A lock-protected value that concurrent test tasks share.
final class Shared<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    init(_ value: Value) {
        storage = Mutex(value)
    }

    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R {
        storage.withLock { body(&$0) }
    }
}
