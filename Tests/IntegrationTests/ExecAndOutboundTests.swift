// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOCore
import Testing
import TocsinCore
import TocsinTesting

/// Exec programs that never read their input leave the server responsive; webhooks to loopback
/// are refused unless the server allows it.
struct ExecAndOutboundTests {
    @Test func programsThatNeverReadLeaveHealthAndPublishingResponsive() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let rules = directory.path + "/rules"
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        let target =
            #"{"kind":"exec","command":"/bin/sleep","args":["30"],"timeout_seconds":1,"retry":{"max_attempts":1}}"#
        try Data("targets:\n  stuck: \(target)\n".utf8).write(to: URL(fileURLWithPath: rules + "/targets.yaml"))
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: ["--rules-dir", rules]
        )
        defer { Task { _ = await server.terminate() } }
        try await server.define("rule", "big", #"{"pattern":{"type":["big"]},"targets":[{"target":"stuck"}]}"#)
        let padding = String(repeating: "x", count: 200 * 1024)
        _ = try await server.publish(type: "big", ids: ["1", "2", "3", "4"]) { _ in #"{"padding":"\#(padding)"}"# }

        // While the four programs sit on full pipes until their timeout, keep checking health and
        // publishing; every call must be answered and every publish acknowledged.
        var health: [Int] = []
        var published = 0
        var round = 0
        var timedOut = 0
        var slowest: Duration = .zero
        repeat {
            round += 1
            let started = ContinuousClock.now
            health.append((try? await call(server.baseURL + "/healthz", timeout: .seconds(5)).status) ?? 0)
            if (try? await server.publish(type: "small", ids: ["s\(round)"]).count) == 1 {
                published += 1
            }
            slowest = max(slowest, ContinuousClock.now - started)
            timedOut = try await server.deadLetters("?target=stuck").count {
                $0["error"]?["kind"] == .string("timeout")
            }
        } while timedOut < 4 && round < 2_000
        print("exec stall check: \(round) rounds, slowest health+publish round \(slowest)")
        #expect(timedOut == 4, "the four programs were killed at their timeout")
        #expect(health.allSatisfy { $0 == 200 }, "every health check was answered while the programs ran")
        #expect(published == round, "every publish was acknowledged while the programs ran")
    }

    @Test func webhooksToLoopbackAreRefusedUnlessAllowed() async throws {
        let receiver = try await TestReceiver.start()
        defer { receiver.stop() }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            allowsLoopbackTargets: false
        )
        defer { Task { _ = await server.terminate() } }
        try await server.define("target", "local", #"{"kind":"webhook","url":"\#(receiver.url)"}"#)
        try await server.define("rule", "r", #"{"pattern":{"type":["x"]},"targets":[{"target":"local"}]}"#)
        _ = try await server.publish(type: "x", ids: ["1"])
        let letters = try await server.eventually({ try await server.deadLetters("?target=local") }) { $0.count == 1 }
        #expect(letters.first?["reason"] == .string("not-retryable"))
        #expect(letters.first?["error"]?["kind"] == .string("rejected"))
        let message = letters.first?["error"]?["message"]?.stringValue ?? ""
        #expect(message.contains("refused by the outbound network policy: 127.0.0.1 is a loopback address"))
        #expect(receiver.received.isEmpty)
    }

    @Test func serveFlagsReachThePrograms() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let rules = directory.path + "/rules"
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        let output = directory.path + "/seen.txt"
        let target =
            #"{"kind":"exec","command":"/bin/sh","args":["-c","{ env; ulimit -n; pwd; } > \"$0.part\" && mv \"$0.part\" \"$0\"","\#(output)"]}"#
        try Data("targets:\n  probe: \(target)\n".utf8).write(to: URL(fileURLWithPath: rules + "/targets.yaml"))
        let data = directory.path + "/data"
        let server = try await ServerProcess.start(
            dataDirectory: data,
            arguments: ["--rules-dir", rules, "--exec-env", "TOCSIN_SITE=eu-1", "--exec-open-files", "64"],
            environment: ["TOCSIN_SERVER_SECRET": "never-passed"]
        )
        defer { Task { _ = await server.terminate() } }
        try await server.define("rule", "r", #"{"pattern":{"type":["x"]},"targets":[{"target":"probe"}]}"#)
        _ = try await server.publish(type: "x", ids: ["1"])
        // The program writes a side file and renames it, so the file is read whole or not at all.
        let seen = try await eventually({ (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }) {
            !$0.isEmpty
        }
        let lines = seen.split(separator: "\n").map(String.init)
        #expect(lines.contains("TOCSIN_SITE=eu-1") && lines.contains("PATH=/usr/bin:/bin"))
        #expect(!seen.contains("never-passed") && !seen.contains("HOME="), "nothing of the server's environment")
        #expect(lines.dropLast().last == "64")
        #expect(lines.last?.contains("/data/exec/run-") == true, "\(lines.last ?? "")")
    }

    @Test func invalidFlagsStopTheServerWithTheFix() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        for (flag, value) in [("--allow-target-network", "10.0.0.0/33"), ("--exec-cpu-seconds", "100000")] {
            let run = try await runTocsin(
                ["serve", "--data-dir", directory.path + "/data", "--http", "127.0.0.1:0", flag, value]
            )
            #expect(run.status != 0)
            #expect(run.errors.contains(flag), "\(run.errors)")
        }
    }
}
