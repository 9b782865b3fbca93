// SPDX-License-Identifier: Apache-2.0

import Synchronization
import TocsinCore

/// Sleeps on a wall clock until the earliest deadline asked for, and can be moved to an earlier
/// deadline while it sleeps: the delivery loop's only source of ticks.
///
/// With a manual clock in tests, the timer is one sleeper on the clock; moving the clock past the
/// deadline fires it.
final class WakeTimer: Sendable {
    private struct State {
        var deadline: WallInstant?
        /// Bumped by every change of deadline, so a sleeper that read an older one wakes up.
        var generation = 0
        var interrupt: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// Asks to fire at `deadline`, unless an earlier or equal deadline is already set.
    func schedule(_ deadline: WallInstant) {
        let interrupt = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let current = state.deadline, current <= deadline {
                return nil
            }
            state.deadline = deadline
            state.generation += 1
            defer { state.interrupt = nil }
            return state.interrupt
        }
        interrupt?.resume()
    }

    /// Calls `fire` each time `clock` reaches the deadline (which is then cleared), until cancelled.
    func run(clock: any WallClock, fire: @escaping @Sendable () -> Void) async {
        while !Task.isCancelled {
            let now = clock.now
            let (deadline, generation, isDue) = state.withLock { state in
                guard let deadline = state.deadline, deadline <= now else {
                    return (state.deadline, state.generation, false)
                }
                state.deadline = nil
                return (deadline, state.generation, true)
            }
            if isDue {
                fire()
                continue
            }
            await withTaskGroup(of: Void.self) { group in
                if let deadline {
                    group.addTask {
                        try? await clock.sleep(until: deadline, tolerance: nil)
                    }
                }
                group.addTask {
                    await self.waitForChange(after: generation)
                }
                await group.next()
                group.cancelAll()
            }
        }
    }

    /// Returns when the deadline changes after `generation`, or on cancellation.
    private func waitForChange(after generation: Int) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.generation != generation || Task.isCancelled {
                        return true
                    }
                    state.interrupt = continuation
                    return false
                }
                if resumeNow {
                    continuation.resume()
                }
            }
        } onCancel: {
            let interrupt = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.interrupt = nil }
                return state.interrupt
            }
            interrupt?.resume()
        }
    }
}
