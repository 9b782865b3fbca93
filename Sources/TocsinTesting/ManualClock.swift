// SPDX-License-Identifier: Apache-2.0

import Synchronization
public import TocsinCore

/// A wall clock that moves only when a test says so.
///
/// Sleepers wake when ``advance(by:)`` or ``set(_:)`` reaches their deadline; ``waitForSleepers(_:)``
/// lets a test wait until the code under test is asleep before it moves time, so nothing races.
public final class ManualClock: WallClock, Sendable {
    private struct Sleeper {
        var id: Int
        var deadline: WallInstant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct Watcher {
        var id: Int
        var count: Int
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var now: WallInstant
        var nextID = 0
        var sleepers: [Sleeper] = []
        var watchers: [Watcher] = []
    }

    private let state: Mutex<State>

    /// Creates a clock that reads `start` until moved (default 2026-01-01T00:00:00Z).
    public init(start: WallInstant = WallInstant(millisecondsSinceEpoch: 1_767_225_600_000)) {
        state = Mutex(State(now: start))
    }

    /// The time the test set.
    public var now: WallInstant { state.withLock { $0.now } }

    /// One millisecond.
    public var minimumResolution: Duration { .milliseconds(1) }

    /// How many tasks are asleep on this clock.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// Suspends until the clock reaches `deadline`, or throws `CancellationError` when cancelled.
    public func sleep(until deadline: WallInstant, tolerance: Duration? = nil) async throws {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let (resumeNow, watchers) = state.withLock { state -> (Bool, [Watcher]) in
                    if deadline <= state.now || Task.isCancelled {
                        return (true, [])
                    }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return (false, Self.satisfiedWatchers(&state))
                }
                if resumeNow {
                    continuation.resume()
                }
                for watcher in watchers {
                    watcher.continuation.resume()
                }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else {
                    return nil
                }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }

    /// Moves the clock forward by `duration`, waking every sleeper whose deadline is reached.
    public func advance(by duration: Duration) {
        move { $0.advanced(by: duration) }
    }

    /// Sets the clock to `instant` (which may be earlier: wall clocks can step back), waking
    /// every sleeper whose deadline is reached.
    public func set(_ instant: WallInstant) {
        move { _ in instant }
    }

    /// Returns once at least `count` tasks are asleep on this clock, or when the waiting task is
    /// cancelled (a test's time limit), so a test that went wrong ends instead of hanging the run.
    public func waitForSleepers(_ count: Int = 1) async {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    if state.sleepers.count >= count || Task.isCancelled {
                        return true
                    }
                    state.watchers.append(Watcher(id: id, count: count, continuation: continuation))
                    return false
                }
                if ready {
                    continuation.resume()
                }
            }
        } onCancel: {
            let watcher = state.withLock { state -> Watcher? in
                guard let index = state.watchers.firstIndex(where: { $0.id == id }) else {
                    return nil
                }
                return state.watchers.remove(at: index)
            }
            watcher?.continuation.resume()
        }
    }

    private func move(_ change: (WallInstant) -> WallInstant) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = change(state.now)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }
            state.sleepers.removeAll { $0.deadline <= now }
            return due.sorted { $0.deadline < $1.deadline }
        }
        for sleeper in due {
            sleeper.continuation.resume()
        }
    }

    private static func satisfiedWatchers(_ state: inout State) -> [Watcher] {
        let count = state.sleepers.count
        let ready = state.watchers.filter { $0.count <= count }
        state.watchers.removeAll { $0.count <= count }
        return ready
    }
}
