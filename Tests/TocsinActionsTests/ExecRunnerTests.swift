// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinActions
import TocsinResponse
import TocsinTesting

/// Programs run off the cooperative pool, in their own process group, directory, environment and
/// limits; the timeout kills the whole group.
struct ExecRunnerTests {
    private func runner(
        _ directory: TemporaryDirectory,
        clock: any Clock<Duration> = ContinuousClock(),
        configure: (inout ExecRunner.Options) -> Void = { _ in }
    ) -> ExecRunner {
        var options = ExecRunner.Options()
        options.scratchDirectory = directory.path + "/exec"
        configure(&options)
        return ExecRunner(options: options, clock: clock)
    }

    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test("the input reaches the program and its output is captured up to the cap")
    func inputAndCappedOutput() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let input = [UInt8]((0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 % 251) })
        let result = try await runner(directory).execute(
            command: "/bin/cat",
            arguments: [],
            input: input,
            timeout: .seconds(60)
        )
        #expect(result.termination == .exited(0))
        #expect(result.inputBytesWritten == input.count)
        #expect(result.output == Array(input.prefix(64 * 1024)))
        #expect(result.isOutputTruncated)
    }

    @Test("exit statuses, signals and start failures become outcomes that name the cause")
    func outcomes() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let exec = runner(directory)
        let failed = await exec.run(
            command: "/bin/sh",
            arguments: ["-c", "exit 3"],
            input: [],
            timeoutMilliseconds: 60_000
        )
        #expect(
            failed
                == .failed(
                    AttemptFailure(kind: .exitStatus, exitStatus: 3, message: "the program exited with status 3")
                )
        )
        let killed = await exec.run(
            command: "/bin/sh",
            arguments: ["-c", "kill -9 $$"],
            input: [],
            timeoutMilliseconds: 60_000
        )
        guard case .failed(let failure) = killed else {
            Issue.record("a killed program is a failure")
            return
        }
        #expect(failure.kind == .exitStatus && failure.exitStatus == 137)
        #expect(failure.message == "the program was killed by signal 9")
        #expect(
            await exec.run(command: "/bin/true", arguments: [], input: [1], timeoutMilliseconds: 60_000)
                == .succeeded(status: nil)
        )
        let missing = directory.path + "/no-such-program"
        await #expect(throws: FileSystemCallError.self) {
            try await exec.execute(command: missing, arguments: [], input: [], timeout: .seconds(60))
        }
        let absent = await exec.run(command: missing, arguments: [], input: [], timeoutMilliseconds: 60_000)
        guard case .failed(let startFailure) = absent else {
            Issue.record("a missing program is a failure")
            return
        }
        #expect(startFailure.message.contains(missing) && startFailure.message.contains("errno \(ENOENT)"))
        #expect(startFailure.message.contains("exec failed"))
    }

    @Test("the working directory is new and empty under the scratch directory, and removed afterwards")
    func workingDirectory() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try await runner(directory).execute(
            command: "/bin/sh",
            arguments: ["-c", "pwd; ls -A | wc -l; touch left-behind"],
            input: [],
            timeout: .seconds(60)
        )
        let lines = text(result.output).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix(directory.path + "/exec/run-") == true)
        #expect(lines.last == "0")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/exec").isEmpty)
    }

    @Test("the environment is exactly the configured one")
    func environment() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plain = try await runner(directory).execute(
            command: "/usr/bin/env",
            arguments: [],
            input: [],
            timeout: .seconds(60)
        )
        #expect(text(plain.output) == "PATH=/usr/bin:/bin\n")
        let configured = try await runner(directory) { $0.environment["TOCSIN_SITE"] = "eu-1" }.execute(
            command: "/usr/bin/env",
            arguments: [],
            input: [],
            timeout: .seconds(60)
        )
        #expect(text(configured.output) == "PATH=/usr/bin:/bin\nTOCSIN_SITE=eu-1\n")
    }

    @Test("CPU, memory and open-file limits are set in the program")
    func limits() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let limited = runner(directory) { options in
            options.limits.cpuSeconds = 7
            options.limits.memoryBytes = 512 << 20
            options.limits.openFiles = 64
        }
        let result = try await limited.execute(
            command: "/bin/sh",
            arguments: ["-c", "ulimit -t; ulimit -v; ulimit -n; ls /proc/self/fd | wc -l"],
            input: [],
            timeout: .seconds(60)
        )
        let lines = text(result.output).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        // The last line counts ls's own descriptors: 0-2 and the directory it reads, nothing leaked.
        #expect(lines == ["7", "524288", "64", "4"])
    }

    @Test("on timeout the whole process group is killed, grandchildren included")
    func timeoutKillsGrandchildren() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clock = ManualClock()
        let pidFile = directory.path + "/grandchild.pid"
        let exec = runner(directory, clock: clock)
        async let result = exec.execute(
            command: "/bin/sh",
            arguments: ["-c", "sleep 300 & echo $! > \(pidFile); wait"],
            input: [],
            timeout: .seconds(1)
        )
        // Generous bounds: when the whole suite starts at once, spawning a shell can wait a long time.
        let grandchild = try await eventually(timeout: .seconds(120)) { () -> pid_t? in
            guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8), text.hasSuffix("\n") else {
                return nil
            }
            return pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        #expect(isAlive(grandchild))
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(1))
        let ended = try await result
        #expect(ended.isTimedOut)
        #expect(ended.termination == .signalled(SIGKILL))
        #expect(try await eventually(timeout: .seconds(120)) { isAlive(grandchild) ? nil : true } == true)
    }

    @Test("programs that never read their input do not hold up other runs")
    func stuckProgramsDoNotStall() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clock = ManualClock()
        let exec = runner(directory, clock: clock)
        let event = [UInt8](repeating: UInt8(ascii: "x"), count: 200 * 1024)
        try await withThrowingTaskGroup(of: ExecResult.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await exec.execute(
                        command: "/bin/sleep",
                        arguments: ["300"],
                        input: event,
                        timeout: .seconds(1)
                    )
                }
            }
            await clock.waitForSleepers(4)
            // Four writers stuck on full pipes, more than this machine has cores: another run still
            // completes, so none of them holds a cooperative thread.
            let other = try await exec.execute(
                command: "/bin/echo",
                arguments: ["ok"],
                input: event,
                timeout: .seconds(60)
            )
            #expect(text(other.output) == "ok\n")
            clock.advance(by: .seconds(1))
            var timedOut = 0
            for try await result in group where result.isTimedOut && result.inputBytesWritten < event.count {
                timedOut += 1
            }
            #expect(timedOut == 4)
        }
    }

    @Test("cancelling the delivery kills the program")
    func cancellation() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clock = ManualClock()
        let exec = runner(directory, clock: clock)
        let task = Task {
            try await exec.execute(command: "/bin/sleep", arguments: ["300"], input: [], timeout: .seconds(600))
        }
        await clock.waitForSleepers(1)
        task.cancel()
        let result = try await task.value
        #expect(result.isCancelled)
        #expect(result.termination == .signalled(SIGKILL))
    }

    private func isAlive(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else {
            return false
        }
        // A zombie waiting for a reaper that is not ours is dead too.
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        guard let close = stat.lastIndex(of: ")") else {
            return false
        }
        return !stat[stat.index(after: close)...].hasPrefix(" Z")
    }
}
