// SPDX-License-Identifier: Apache-2.0

/// The log cannot answer right now, and the same request may succeed later: a clustered log whose
/// stream has no leader (an election, a lost quorum) or whose connection is down.
///
/// The HTTP layer answers `503` with `Retry-After` (``retryAfterSeconds``) rather than a server
/// error; `/readyz` reports it as not ready. It never carries event data.
public struct LogUnavailable: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong and how to fix it.
    public var message: String
    /// Whole seconds a client should wait before retrying (at least 1).
    public var retryAfterSeconds: Int

    /// Creates the error.
    public init(message: String, retryAfterSeconds: Int) {
        self.message = message
        self.retryAfterSeconds = max(1, retryAfterSeconds)
    }

    /// The message.
    public var description: String { message }
}
