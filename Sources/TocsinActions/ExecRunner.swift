// SPDX-License-Identifier: Apache-2.0

import Foundation
public import TocsinResponse

/// Runs a program with the delivery's payload on standard input; its exit status is the outcome.
///
/// No shell is involved: the command is an absolute path and the arguments are passed as they are.
/// The program and everything it started are killed (SIGTERM to its process group, then SIGKILL)
/// when it overruns the timeout. Its output is
/// discarded, so nothing it prints reaches Tocsin's logs.
public struct ExecRunner: Sendable {
    /// Creates a runner.
    public init() {}

    /// Runs `command` with `arguments`, writing `input` to its standard input.
    public func run(
        command: String,
        arguments: [String],
        input: [UInt8],
        timeoutMilliseconds: Int64
    ) async -> AttemptOutcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command)
        process.arguments = arguments
        process.environment = ["PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
        let standardInput = Pipe()
        process.standardInput = standardInput
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let finished = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { process in
            finished.continuation.yield(process.terminationStatus)
            finished.continuation.finish()
        }
        do {
            try process.run()
        } catch {
            return .failed(
                AttemptFailure(kind: .exitStatus, exitStatus: 127, message: "the program could not be started")
            )
        }
        let writer = Task.detached {
            try? standardInput.fileHandleForWriting.write(contentsOf: input)
            try? standardInput.fileHandleForWriting.close()
        }
        let started = ContinuousClock.now
        let pid = process.processIdentifier
        let watchdog = Task.detached {
            try await Task.sleep(for: .milliseconds(timeoutMilliseconds))
            // The child leads its own process group: signal the group, so that programs it
            // started (and that hold its descriptors) go too.
            kill(-pid, SIGTERM)
            try await Task.sleep(for: .seconds(2))
            kill(-pid, SIGKILL)
        }
        var status: Int32 = -1
        for await code in finished.stream {
            status = code
        }
        watchdog.cancel()
        let timedOut =
            process.terminationReason == .uncaughtSignal
            && ContinuousClock.now - started >= .milliseconds(timeoutMilliseconds)
        await writer.value
        if status == 0 && process.terminationReason == .exit {
            return .succeeded(status: nil)
        }
        if timedOut {
            return .failed(
                AttemptFailure(
                    kind: .timeout,
                    exitStatus: status,
                    message: "the program ran longer than \(timeoutMilliseconds) ms"
                )
            )
        }
        return .failed(
            AttemptFailure(kind: .exitStatus, exitStatus: status, message: "the program exited with status \(status)")
        )
    }
}
