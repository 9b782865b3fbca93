// SPDX-License-Identifier: Apache-2.0

public import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// How a child process ended.
public struct ChildExit: Sendable, Equatable, CustomStringConvertible {
    /// The exit code, or the signal's number when ``bySignal``.
    public let status: Int32
    /// Whether a signal ended the process.
    public let bySignal: Bool

    /// Creates the record of an exit.
    public init(status: Int32, bySignal: Bool) {
        self.status = status
        self.bySignal = bySignal
    }

    /// What a test failure shows.
    public var description: String { bySignal ? "killed by signal \(status)" : "exit status \(status)" }
}

extension Process {
    /// How the process ended, or `nil` while it runs.
    ///
    /// Foundation on Linux learns of an exit when a socket it shares with the child closes. A
    /// process spawned at the same moment from another thread can inherit that socket, and then
    /// `isRunning` and `waitUntilExit()` wait for that other process too: seconds, or the whole
    /// life of a test server. So this asks the kernel directly (`waitid` with `WNOWAIT`, which
    /// leaves the child for Foundation to reap).
    public var exitIfEnded: ChildExit? {
        kernelExit(waiting: false)
    }

    /// Blocks the calling thread until the process ends, as ``exitIfEnded`` reads it.
    ///
    /// For short helper programs run from synchronous code; async code uses ``exit(within:)``.
    public func waitForKernelExit() -> ChildExit {
        while true {
            if let exit = kernelExit(waiting: true) {
                return exit
            }
            sched_yield()
        }
    }

    private func kernelExit(waiting: Bool) -> ChildExit? {
        if !isRunning {
            return ChildExit(status: terminationStatus, bySignal: terminationReason == .uncaughtSignal)
        }
        var info = siginfo_t()
        // EINTR is tried again by the callers' loops; ECHILD means Foundation has just reaped the
        // child, and `isRunning` turns false right after.
        guard waitid(P_PID, id_t(processIdentifier), &info, WEXITED | WNOWAIT | (waiting ? 0 : WNOHANG)) == 0,
            info._sifields._sigchld.si_pid == processIdentifier
        else {
            return nil
        }
        return ChildExit(status: info._sifields._sigchld.si_status, bySignal: info.si_code != Int32(CLD_EXITED))
    }

    /// Waits until the process ends, for at most `timeout`, without holding a thread.
    ///
    /// - Returns: How it ended, or `nil` when it still runs after `timeout` (or the task is cancelled).
    public func exit(within timeout: Duration) async -> ChildExit? {
        try? await eventually(timeout: timeout) { exitIfEnded }
    }
}
