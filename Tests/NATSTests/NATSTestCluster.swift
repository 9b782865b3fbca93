// SPDX-License-Identifier: Apache-2.0

#if NATS
import Foundation
import Testing
import TocsinNATS

/// A 3-node nats-server cluster on free loopback ports, started with `scripts/nats-cluster.sh`
/// in a temporary directory; ``stop()`` ends it and removes the directory.
struct NATSTestCluster: Sendable {
    let directory: String
    let basePort: Int

    /// The nodes' client URLs.
    var urls: [String] {
        (0..<3).map { "nats://127.0.0.1:\(basePort + $0)" }
    }

    /// Starts a cluster; fails the test clearly when nats-server is not installed.
    static func start() throws -> NATSTestCluster {
        guard
            FileManager.default.isExecutableFile(atPath: "/usr/sbin/nats-server")
                || FileManager.default.isExecutableFile(atPath: "/usr/bin/nats-server")
        else {
            Issue.record("nats-server is not installed: run scripts/ensure-deps.sh (apt-get install nats-server)")
            throw CancellationError()
        }
        var lastOutput = ""
        for _ in 0..<5 {
            let base = Int.random(in: 200..<1400) * 20
            let directory = NSTemporaryDirectory() + "tocsin-nats-\(UUID().uuidString)"
            let cluster = NATSTestCluster(directory: directory, basePort: base)
            let (status, output) = cluster.script(["start"])
            if status == 0 {
                return cluster
            }
            lastOutput = output
            cluster.stop()
        }
        Issue.record("could not start a NATS cluster: \(lastOutput)")
        throw CancellationError()
    }

    /// Stops every node and removes the data.
    func stop() {
        _ = script(["stop", "--clean"])
    }

    /// Kills node `name` (`n1`…`n3`) with SIGKILL.
    func kill(_ name: String) throws {
        let text = try String(contentsOfFile: "\(directory)/\(name).pid", encoding: .utf8)
        let pid = try #require(Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(Foundation.kill(pid, SIGKILL) == 0)
    }

    /// Connects to all three nodes.
    func connect() async throws -> NATSConnection {
        try await NATSConnection.connect(NATSConnectionConfiguration(servers: urls))
    }

    /// Runs the cluster script; its output goes to a file, not a pipe: the servers it starts would
    /// inherit a pipe and keep it open, so reading it to the end would never finish.
    private func script(_ arguments: [String]) -> (Int32, String) {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let logPath = NSTemporaryDirectory() + "tocsin-nats-script-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        guard FileManager.default.createFile(atPath: logPath, contents: nil),
            let log = FileHandle(forWritingAtPath: logPath)
        else {
            return (-1, "cannot create \(logPath)")
        }
        defer { try? log.close() }
        let process = Process()
        process.executableURL = root.appendingPathComponent("scripts/nats-cluster.sh")
        process.arguments = arguments + ["--port", "\(basePort)", "--dir", directory]
        process.standardOutput = log
        process.standardError = log
        // A semaphore signalled by the termination handler, not waitUntilExit, which spins a run loop
        // that never saw the exit here.
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            return (-1, "\(error)")
        }
        exited.wait()
        let output = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return (process.terminationStatus, output)
    }
}

/// Waits until `condition` holds or `timeout` passes; returns whether it held.
func eventually(
    timeout: Duration = .seconds(20),
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if try await condition() {
            return true
        }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}
#endif
