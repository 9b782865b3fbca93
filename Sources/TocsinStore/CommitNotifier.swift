// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// Wakes readers (live tails) when the writer commits new records.
final class CommitNotifier: Sendable {
    private struct State: Sendable {
        var latest: Int64
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        /// Waiters created but not yet parked; a cancellation that arrives then is remembered here.
        var unparked: Set<Int> = []
        var cancelled: Set<Int> = []
    }

    private let state: Mutex<State>

    init(latest: Int64) {
        state = Mutex(State(latest: latest))
    }

    /// The highest committed sequence number.
    var latest: Int64 {
        state.withLock { $0.latest }
    }

    /// How many readers are parked waiting for a commit.
    var waiterCount: Int {
        state.withLock { $0.waiters.count }
    }

    /// Records a commit up to `sequence` and wakes every waiter.
    func publish(_ sequence: Int64) {
        let waiters = state.withLock { state in
            state.latest = max(state.latest, sequence)
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters {
            waiter.resume()
        }
    }

    /// Waits until a sequence number above `sequence` is committed, or `timeout` passes.
    func wait(after sequence: Int64, timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.wait(after: sequence) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    private func wait(after sequence: Int64) async {
        let id = state.withLock { state in
            state.nextID += 1
            state.unparked.insert(state.nextID)
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    state.unparked.remove(id)
                    if state.latest > sequence || state.cancelled.remove(id) != nil {
                        return true
                    }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow {
                    continuation.resume()
                }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                guard let waiter = state.waiters.removeValue(forKey: id) else {
                    if state.unparked.contains(id) {
                        state.cancelled.insert(id)
                    }
                    return CheckedContinuation<Void, Never>?.none
                }
                return waiter
            }
            waiter?.resume()
        }
    }
}
