// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinCore
import TocsinTesting

/// SIGTERM while events are published, routed and delivered to a webhook, a program and a dead
/// target: the server exits 0 with a signed final checkpoint, and after a restart every acknowledged
/// event's deliveries end delivered or dead-lettered.
///
/// The suite runs it twice; `scripts/sigterm-soak.sh` runs it 20 times (`TOCSIN_SIGTERM_ROUNDS`).
struct SigtermTests {
    static let rounds = Int(ProcessInfo.processInfo.environment["TOCSIN_SIGTERM_ROUNDS"] ?? "") ?? 2

    @Test("SIGTERM under load stops cleanly and loses nothing", arguments: 1...rounds)
    func sigtermUnderLoad(round: Int) async throws {
        let receiver = try await TestReceiver.start()
        defer { receiver.stop() }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let rules = directory.path + "/rules"
        let data = directory.path + "/data"
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        try Data(
            """
            targets:
              soc: {kind: webhook, url: "\(receiver.url)"}
              dead:
                kind: webhook
                url: "http://127.0.0.1:1/hook"
                timeout_seconds: 1
                max_concurrency: 64
                retry: {max_attempts: 2, base_delay_ms: 10}
                circuit_breaker: {failure_threshold: 10000}
              program: {kind: exec, command: /bin/sh, args: ["-c", "cat >/dev/null; sleep 0.05"], timeout_seconds: 5}
            rules:
              all:
                pattern: {type: [x]}
                targets: [{target: soc}, {target: dead}, {target: program}]
            """.utf8
        ).write(to: URL(fileURLWithPath: rules + "/main.yaml"))
        let server = try await ServerProcess.start(dataDirectory: data, arguments: ["--rules-dir", rules])
        let publisher = Task {
            var acknowledged: [Int64] = []
            for batch in 0..<30 {
                guard
                    let sequences = try? await server.publish(
                        type: "x",
                        ids: (0..<10).map { "r\(round)-\(batch)-\($0)" }
                    )
                else {
                    break
                }
                acknowledged += sequences
            }
            return acknowledged
        }
        // Stop while deliveries are in flight: some reached the receiver, not all were published.
        #expect(await receiver.waitFor(timeout: .seconds(30)) { $0.received.count >= 30 })
        let status = await server.terminate()
        let acknowledged = await publisher.value
        #expect(status == 0, "SIGTERM exits 0; log: \(Self.tail(of: data + ".log"))")
        let verify = try await runTocsin(["audit", "verify", "--data-dir", data])
        #expect(verify.status == 0, "\(verify.output)")
        #expect(Self.finalCheckpointCoversTheHead(verify.output), "\(verify.output)")
        #expect(!acknowledged.isEmpty)

        let restarted = try await ServerProcess.start(dataDirectory: data, arguments: ["--rules-dir", rules])
        let delivered = await receiver.waitFor(timeout: .seconds(60)) { $0.distinctKeys.count >= acknowledged.count }
        #expect(delivered, "every acknowledged event reached the webhook")
        #expect(receiver.distinctKeys.count == acknowledged.count, "one delivery per event and target")
        let dead = try await restarted.eventually(timeout: .seconds(60)) {
            try await restarted.deadLetters("?target=dead&limit=10000")
        } until: {
            $0.count == acknowledged.count
        }
        #expect(dead.count == acknowledged.count, "every delivery to the dead target was dead-lettered")
        for sequence in [acknowledged[0], acknowledged[acknowledged.count / 2], acknowledged[acknowledged.count - 1]] {
            let states = try await restarted.eventually(timeout: .seconds(60)) {
                try await restarted.deliveries(event: sequence)
            } until: {
                Self.states($0) == ["dead": "dead-lettered", "program": "succeeded", "soc": "succeeded"]
            }
            #expect(Self.states(states) == ["dead": "dead-lettered", "program": "succeeded", "soc": "succeeded"])
        }
        #expect(await restarted.terminate() == 0)
    }

    static func states(_ deliveries: [JSONValue]) -> [String: String] {
        var states: [String: String] = [:]
        for delivery in deliveries {
            if let target = delivery["target"]?.stringValue, let state = delivery["state"]?.stringValue {
                states[target] = state
            }
        }
        return states
    }

    /// Whether `tocsin audit verify` reports signed checkpoints and none but the last checkpoint's own
    /// announcement (`tocsin.checkpoint.signed`) after the last one.
    static func finalCheckpointCoversTheHead(_ output: String) -> Bool {
        let signed = !output.contains(" 0 signed checkpoints") && output.contains("signed checkpoints verified")
        let unprotected = output.contains("0 records lie after") || output.contains("1 record lies after")
        return signed && unprotected
    }

    static func tail(of path: String) -> String {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return String(text.suffix(2000))
    }
}
