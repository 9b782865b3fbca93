// SPDX-License-Identifier: Apache-2.0

#if NATS
import Foundation

/// Runs blocking libnats calls (requests to the JetStream API, fetches, watcher reads) on dedicated
/// threads, so they never occupy Swift's cooperative thread pool.
///
/// `@unchecked Sendable` because its only mutable state, `jobs` and `isClosed`, is read and written
/// with `condition` locked.
final class BlockingExecutor: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var isClosed = false

    /// Starts `threads` threads named `name`.
    init(threads: Int, name: String) {
        for index in 0..<max(1, threads) {
            let thread = Thread { [self] in
                work()
            }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    /// Runs `body` on one of the threads and returns its result.
    ///
    /// - Throws: What `body` throws, or ``NATSError/Code/closed`` after ``shutdown()``.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let accepted = submit {
                do {
                    continuation.resume(returning: try body())
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            if !accepted {
                continuation.resume(
                    throwing: NATSError(code: .closed, message: "the NATS connection is closed; reconnect to use it")
                )
            }
        }
    }

    /// Queues `job`; `false` when the executor is shut down.
    func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !isClosed else {
            return false
        }
        jobs.append(job)
        condition.signal()
        return true
    }

    /// Lets the threads finish the queued jobs, then stop.
    func shutdown() {
        condition.lock()
        isClosed = true
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while jobs.isEmpty && !isClosed {
                condition.wait()
            }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
#endif
