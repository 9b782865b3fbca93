// SPDX-License-Identifier: Apache-2.0

/// `eventually` gave up: the condition did not hold in time.
public struct ConditionNeverMet: Error, CustomStringConvertible {
    /// How long it waited.
    public let timeout: Duration

    /// What the test log shows.
    public var description: String { "the condition did not hold within \(timeout)" }
}

/// Polls `probe` until it returns a value, for at most `timeout`.
///
/// Tests wait on a condition this way, never by sleeping and then asserting.
///
/// - Throws: ``ConditionNeverMet`` when `timeout` passes first, or what `probe` throws.
public func eventually<T>(
    timeout: Duration = .seconds(30),
    _ probe: () async throws -> T?
) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let value = try await probe() {
            return value
        }
        guard ContinuousClock.now < deadline else {
            throw ConditionNeverMet(timeout: timeout)
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// Whether `condition` comes to hold within `timeout`, polled as ``eventually(timeout:_:)`` polls.
///
/// For tests that assert on the outcome themselves (and report what they saw when it is `false`).
///
/// - Throws: What `condition` throws.
public func holds(within timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws -> Bool {
    do {
        _ = try await eventually(timeout: timeout) { try await condition() ? true : nil }
        return true
    } catch is ConditionNeverMet {
        return false
    }
}
