// SPDX-License-Identifier: Apache-2.0

import DequeModule
import Synchronization
import TocsinCore

/// The bounded hand-off between request handlers and the single log writer.
///
/// Producers suspend in ``submit(_:)`` until the writer has committed their events; the writer
/// takes everything that is waiting (up to a limit) as one group commit.
final class AppendQueue: Sendable {
    struct Request: Sendable {
        let records: [LogRecord]
        let continuation: CheckedContinuation<[AppendReceipt], any Error>
    }

    /// What the writer should do next.
    struct Batch: Sendable {
        var requests: [Request]
        var wantsCheckpoint: Bool
    }

    private struct State: Sendable {
        var pending: Deque<Request> = []
        var pendingEvents = 0
        var checkpointRequested = false
        var writer: CheckedContinuation<Void, Never>?
        var isClosed = false
    }

    private let state = Mutex(State())
    private let maxPendingEvents: Int

    init(maxPendingEvents: Int) {
        self.maxPendingEvents = maxPendingEvents
    }

    /// Enqueues prepared records and waits until they are committed.
    func submit(_ records: [LogRecord]) async throws -> [AppendReceipt] {
        try await withCheckedThrowingContinuation { continuation in
            let outcome: Result<CheckedContinuation<Void, Never>?, StoreError> = state.withLock { state in
                if state.isClosed {
                    return .failure(StoreError(code: .closed, message: "the log is shutting down; retry on restart"))
                }
                if state.pendingEvents + records.count > maxPendingEvents, state.pendingEvents > 0 {
                    return .failure(
                        StoreError(code: .overloaded, message: "the log writer is saturated; retry after a short delay")
                    )
                }
                state.pending.append(Request(records: records, continuation: continuation))
                state.pendingEvents += records.count
                defer { state.writer = nil }
                return .success(state.writer)
            }
            switch outcome {
            case .failure(let error): continuation.resume(throwing: error)
            case .success(let writer): writer?.resume()
            }
        }
    }

    /// Asks the writer to sign a checkpoint at its next turn.
    func requestCheckpoint() {
        updateAndWakeWriter { $0.checkpointRequested = true }
    }

    /// Refuses further submissions; the writer drains what is already queued, then stops.
    func close() {
        updateAndWakeWriter { $0.isClosed = true }
    }

    private func updateAndWakeWriter(_ update: (inout State) -> Void) {
        let writer = state.withLock { state in
            update(&state)
            defer { state.writer = nil }
            return state.writer
        }
        writer?.resume()
    }

    /// Waits for work and takes up to `maxEvents` events (always at least one request).
    ///
    /// Returns `nil` once the queue is closed and empty.
    func next(maxEvents: Int) async -> Batch? {
        while true {
            let taken: Batch?? = state.withLock { state in
                if !state.pending.isEmpty || state.checkpointRequested {
                    var batch = Batch(requests: [], wantsCheckpoint: state.checkpointRequested)
                    state.checkpointRequested = false
                    var count = 0
                    while let first = state.pending.first,
                        batch.requests.isEmpty || count + first.records.count <= maxEvents
                    {
                        state.pending.removeFirst()
                        count += first.records.count
                        batch.requests.append(first)
                    }
                    state.pendingEvents -= count
                    return .some(batch)
                }
                return state.isClosed ? .some(nil) : nil
            }
            if let taken {
                return taken
            }
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    if !state.pending.isEmpty || state.checkpointRequested || state.isClosed {
                        return true
                    }
                    state.writer = continuation
                    return false
                }
                if resumeNow {
                    continuation.resume()
                }
            }
        }
    }
}
