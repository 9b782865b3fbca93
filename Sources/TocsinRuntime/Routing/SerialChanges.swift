// SPDX-License-Identifier: Apache-2.0

/// Runs changes one at a time, each to its end (awaits included), in the order they were submitted.
///
/// An actor alone does not give this: its methods interleave at every `await`. Routing changes
/// validate against the current definitions, store, append their event and swap the table; two of
/// them interleaved would validate against a state neither leaves behind, or one would swap in a
/// table without the other's change.
actor SerialChanges {
    private var tail: Task<Void, Never>?

    /// Runs `change` after every change submitted before it; its result or error is the caller's.
    ///
    /// A change runs to its end even if the caller is cancelled: a change half applied is what this
    /// type exists to prevent.
    func run<T: Sendable>(_ change: @escaping @Sendable () async throws -> T) async throws -> T {
        let previous = tail
        let task = Task {
            await previous?.value
            return try await change()
        }
        tail = Task { _ = try? await task.value }
        return try await task.value
    }
}
