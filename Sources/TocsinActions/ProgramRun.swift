// SPDX-License-Identifier: Apache-2.0

import CTocsinSpawn
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One program run: spawned and pumped on a dedicated thread, awaited without blocking anyone.
///
/// The thread owns every descriptor and the reaping; ``stop(_:)`` may come from any task. Killing
/// and reaping happen under one lock, so the group is never signalled after its leader was reaped
/// (when its id could already belong to someone else).
final class ProgramRun: Sendable {
    /// Why the group was killed before the program exited by itself.
    enum StopReason: Sendable {
        case timeout
        case cancelled
    }

    private struct State {
        var pid: pid_t = 0
        var isReaped = false
        var stopReason: StopReason?
        var result: Result<ExecResult, FileSystemCallError>?
        var waiter: CheckedContinuation<Result<ExecResult, FileSystemCallError>, Never>?
    }

    private let command: String
    private let arguments: [String]
    private let input: [UInt8]
    private let options: ExecRunner.Options
    private let state = Mutex(State())

    init(command: String, arguments: [String], input: [UInt8], options: ExecRunner.Options) {
        self.command = command
        self.arguments = arguments
        self.input = input
        self.options = options
    }

    /// Starts the run's thread.
    func start() {
        let thread = Thread { [self] in
            finish(runToEnd())
        }
        thread.name = "tocsin-exec"
        thread.start()
    }

    /// The run's result, once the program has ended and been reaped.
    func result() async -> Result<ExecResult, FileSystemCallError> {
        await withCheckedContinuation { continuation in
            let ready: Result<ExecResult, FileSystemCallError>? = state.withLock { state in
                if let result = state.result {
                    return result
                }
                state.waiter = continuation
                return nil
            }
            if let ready {
                continuation.resume(returning: ready)
            }
        }
    }

    /// Kills the program's whole process group (now, or as soon as it has started).
    func stop(_ reason: StopReason) {
        state.withLock { state in
            if state.stopReason == nil {
                state.stopReason = reason
            }
            if state.pid > 0, !state.isReaped {
                kill(-state.pid, SIGKILL)
            }
        }
    }

    private func finish(_ result: Result<ExecResult, FileSystemCallError>) {
        let waiter = state.withLock { state in
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: result)
    }

    private func runToEnd() -> Result<ExecResult, FileSystemCallError> {
        // A program that closes its input makes our writes fail with EPIPE; the signal must not
        // reach the server. Blocked on this thread only; the thread ends with the run.
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
        let directory: String
        switch WorkingDirectory.create(under: options.scratchDirectory) {
        case .success(let path): directory = path
        case .failure(let error): return .failure(error)
        }
        defer { WorkingDirectory.remove(directory) }
        var pipes = ChildPipes()
        defer { pipes.closeAll() }
        if let error = pipes.open(command: command) {
            return .failure(error)
        }
        let pid: pid_t
        switch spawn(directory: directory, pipes: pipes) {
        case .success(let child): pid = child
        case .failure(let error): return .failure(error)
        }
        pipes.closeChildEnds()
        let exitDescriptor = tocsin_pidfd_open(pid)
        let openError = errno
        if exitDescriptor < 0 {
            _ = reap(pid)
            return .failure(
                FileSystemCallError(
                    code: .spawn,
                    path: command,
                    errorNumber: openError,
                    action: "could not watch \(command) for its exit (pidfd_open needs Linux 5.3 or later)"
                )
            )
        }
        defer { close(exitDescriptor) }
        var pump = OutputPump(input: input, maxOutputBytes: options.maxOutputBytes)
        pump.run(pipes: &pipes, exitDescriptor: exitDescriptor)
        let status = reap(pid)
        pump.drain(pipes: &pipes)
        let stopReason = state.withLock { $0.stopReason }
        let termination: ExecResult.Termination =
            (status & 0x7F) == 0 ? .exited((status >> 8) & 0xFF) : .signalled(status & 0x7F)
        let isKilled = termination == .signalled(SIGKILL)
        return .success(
            ExecResult(
                termination: termination,
                isTimedOut: isKilled && stopReason == .timeout,
                isCancelled: isKilled && stopReason == .cancelled,
                output: pump.output,
                errorOutput: pump.errorOutput,
                isOutputTruncated: pump.isTruncated,
                inputBytesWritten: pump.inputBytesWritten
            )
        )
    }

    /// Kills what the program left in its group, then reaps it (its pid is held until then).
    private func reap(_ pid: pid_t) -> Int32 {
        state.withLock { state in
            kill(-pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
            state.isReaped = true
            return status
        }
    }

    private func spawn(directory: String, pipes: ChildPipes) -> Result<pid_t, FileSystemCallError> {
        let argv = CStringArray([command] + arguments)
        let environment = CStringArray(options.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
        var limits = tocsin_spawn_limits(
            cpu_seconds: UInt64(max(0, options.limits.cpuSeconds ?? 0)),
            address_space_bytes: UInt64(max(0, options.limits.memoryBytes ?? 0)),
            open_files: UInt64(max(0, options.limits.openFiles ?? 0))
        )
        var pid: pid_t = 0
        var step: Int32 = 0
        let error = tocsin_spawn(
            command,
            argv.pointers,
            environment.pointers,
            directory,
            pipes.childInput,
            pipes.childOutput,
            pipes.childError,
            &limits,
            &pid,
            &step
        )
        guard error == 0 else {
            return .failure(
                FileSystemCallError(
                    code: .spawn,
                    path: command,
                    errorNumber: error,
                    action: "could not start \(command) (\(Self.describe(step: step)))",
                    hint: step == Int32(TOCSIN_SPAWN_STEP_EXEC) ? "check that the path is an executable file" : ""
                )
            )
        }
        // A stop that came while the program was starting found no pid: it is carried out here.
        state.withLock { state in
            state.pid = pid
            if state.stopReason != nil {
                kill(-pid, SIGKILL)
            }
        }
        return .success(pid)
    }

    private static func describe(step: Int32) -> String {
        switch step {
        case Int32(TOCSIN_SPAWN_STEP_PROCESS_GROUP): "creating its process group failed"
        case Int32(TOCSIN_SPAWN_STEP_LIMITS): "setting its resource limits failed"
        case Int32(TOCSIN_SPAWN_STEP_DIRECTORY): "entering its working directory failed"
        case Int32(TOCSIN_SPAWN_STEP_DESCRIPTORS): "setting up its descriptors failed"
        case Int32(TOCSIN_SPAWN_STEP_EXEC): "exec failed"
        default: "fork failed"
        }
    }
}

/// NULL-terminated C strings that live as long as the value.
private final class CStringArray {
    let pointers: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    private let count: Int

    init(_ strings: [String]) {
        count = strings.count
        pointers = .allocate(capacity: strings.count + 1)
        for (index, string) in strings.enumerated() {
            pointers[index] = strdup(string)
        }
        pointers[strings.count] = nil
    }

    deinit {
        for index in 0..<count {
            free(pointers[index])
        }
        pointers.deallocate()
    }
}
