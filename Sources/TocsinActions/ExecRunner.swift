// SPDX-License-Identifier: Apache-2.0

public import TocsinResponse

#if canImport(Glibc)
import Glibc
#endif

/// Runs a program with the delivery's payload on standard input; its exit status is the outcome.
///
/// No shell is involved: the command is an absolute path and the arguments are passed as they are.
/// Each run happens off the cooperative thread pool (a dedicated thread spawns the program and
/// pumps its pipes with non-blocking descriptors), so a program that never reads its input cannot
/// stall anything else. The program leads its own process group in a fresh, empty working
/// directory, with an explicit environment and resource limits set in the child before exec. When
/// it overruns the timeout, or the delivery is cancelled, the whole group is killed with SIGKILL;
/// when it exits, whatever it left running in its group is killed too. Its output is captured up to
/// a cap and never logged (it may hold payload values).
public struct ExecRunner: Sendable {
    /// How programs are run: working directory, environment, limits and output cap.
    public struct Options: Sendable, Hashable {
        /// The directory under which each run gets a new empty working directory (mode 0700,
        /// removed after the run); created if missing.
        ///
        /// Default the system temporary directory; the server passes `<data-dir>/exec`.
        public var scratchDirectory: String = "/tmp"
        /// The program's whole environment: nothing of the server's is passed unless listed here.
        ///
        /// Default `PATH=/usr/bin:/bin`.
        public var environment: [String: String] = ["PATH": "/usr/bin:/bin"]
        /// The resource limits set in the child before exec.
        public var limits = Limits()
        /// Bytes of standard output (and, separately, of standard error) kept; the rest is read
        /// and dropped so the program never blocks on a full pipe.
        ///
        /// Default 64 KiB.
        public var maxOutputBytes = 64 * 1024

        /// Creates the production defaults.
        public init() {}
    }

    /// Resource limits (soft and hard) set in the program's process before exec; `nil` leaves a
    /// limit as the server has it.
    public struct Limits: Sendable, Hashable {
        /// CPU seconds (`RLIMIT_CPU`): SIGXCPU, then SIGKILL.
        ///
        /// Default 60.
        public var cpuSeconds: Int? = 60
        /// Address space in bytes (`RLIMIT_AS`).
        ///
        /// Default 2 GiB; runtimes that reserve large address spaces up front (the JVM, Node.js)
        /// need more.
        public var memoryBytes: Int? = 2 << 30
        /// Open descriptors (`RLIMIT_NOFILE`).
        ///
        /// Default 256.
        public var openFiles: Int? = 256

        /// Creates the defaults.
        public init() {}
    }

    /// The options every run uses.
    public let options: Options
    private let clock: any Clock<Duration>

    /// Creates a runner with `options`, timing runs on `clock`.
    public init(options: Options = Options(), clock: any Clock<Duration> = ContinuousClock()) {
        self.options = options
        self.clock = clock
    }

    /// Runs `command` with `arguments`, writing `input` to its standard input, and maps the result
    /// to a delivery outcome.
    public func run(
        command: String,
        arguments: [String],
        input: [UInt8],
        timeoutMilliseconds: Int64
    ) async -> AttemptOutcome {
        let result: ExecResult
        do {
            result = try await execute(
                command: command,
                arguments: arguments,
                input: input,
                timeout: .milliseconds(timeoutMilliseconds)
            )
        } catch {
            return .failed(AttemptFailure(kind: .exitStatus, exitStatus: 127, message: error.message))
        }
        return result.outcome(timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Runs `command` with `arguments`, writing `input` to its standard input, and returns how it
    /// ended with its captured output.
    ///
    /// - Throws: ``FileSystemCallError`` when the working directory cannot be created or the
    ///   program cannot be started (the message names the path, the step and `errno`).
    public func execute(
        command: String,
        arguments: [String],
        input: [UInt8],
        timeout: Duration
    ) async throws(FileSystemCallError) -> ExecResult {
        let run = ProgramRun(
            command: command,
            arguments: arguments,
            input: input,
            options: options
        )
        run.start()
        let clock = clock
        let result = await withTaskCancellationHandler {
            await withTaskGroup(of: Result<ExecResult, FileSystemCallError>?.self) { group in
                group.addTask { await run.result() }
                group.addTask {
                    do {
                        try await clock.sleep(for: timeout)
                    } catch {
                        return nil
                    }
                    run.stop(.timeout)
                    return nil
                }
                var finished: Result<ExecResult, FileSystemCallError>?
                while let next = await group.next() {
                    if let next {
                        finished = next
                        group.cancelAll()
                    }
                }
                return finished
            }
        } onCancel: {
            run.stop(.cancelled)
        }
        // The result task always yields a value: every path through the run ends in a result.
        guard let result else {
            throw FileSystemCallError(
                code: .spawn,
                path: command,
                errorNumber: ECANCELED,
                action: "the run of \(command) ended without a result"
            )
        }
        return try result.get()
    }
}

/// How one program run ended and what it printed.
public struct ExecResult: Sendable, Hashable {
    /// How the process ended.
    public enum Termination: Sendable, Hashable {
        /// It exited with this status.
        case exited(Int32)
        /// A signal (the timeout's SIGKILL, or a resource limit's) ended it.
        case signalled(Int32)
    }

    /// How the process ended.
    public var termination: Termination
    /// Whether it was killed because it overran the timeout.
    public var isTimedOut: Bool
    /// Whether it was killed because the delivery was cancelled (shutdown).
    public var isCancelled: Bool
    /// Its standard output, at most `Options.maxOutputBytes`.
    public var output: [UInt8]
    /// Its standard error, at most `Options.maxOutputBytes`.
    public var errorOutput: [UInt8]
    /// Whether either stream printed more than was kept.
    public var isOutputTruncated: Bool
    /// How many bytes of the input it read before it exited or closed its standard input.
    public var inputBytesWritten: Int

    /// The delivery outcome: success for exit status 0; otherwise a failure that names the cause
    /// but none of the output.
    public func outcome(timeoutMilliseconds: Int64) -> AttemptOutcome {
        switch termination {
        case .exited(0) where !isTimedOut:
            return .succeeded(status: nil)
        case .exited(let status):
            return .failed(
                AttemptFailure(
                    kind: .exitStatus,
                    exitStatus: status,
                    message: "the program exited with status \(status)"
                )
            )
        case .signalled(let signal) where isTimedOut:
            return .failed(
                AttemptFailure(
                    kind: .timeout,
                    exitStatus: 128 + signal,
                    message: "the program ran longer than \(timeoutMilliseconds) ms; its process group was killed"
                )
            )
        case .signalled(let signal):
            let cause = isCancelled ? " (the server is stopping)" : ""
            return .failed(
                AttemptFailure(
                    kind: .exitStatus,
                    exitStatus: 128 + signal,
                    message: "the program was killed by signal \(signal)\(cause)"
                )
            )
        }
    }
}
