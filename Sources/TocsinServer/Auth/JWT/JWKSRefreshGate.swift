// SPDX-License-Identifier: Apache-2.0

/// Decides whether a token with an unknown `kid` may refetch the JWKS: one fetch at a time, and
/// at most one started per interval, so random `kid`s cannot make Tocsin hammer the identity
/// provider.
///
/// A pure state machine on injected time (Unix milliseconds). The first load at start is not a
/// refresh and does not count.
struct JWKSRefreshGate: Sendable, Hashable {
    /// What a request with an unknown `kid` should do.
    enum Decision: Sendable, Hashable {
        /// Fetch the JWKS now, then call ``JWKSRefreshGate/fetchFinished()``.
        case fetch
        /// Another request is fetching; wait for it to finish.
        case join
        /// A fetch started less than an interval ago; the next may start after this many
        /// milliseconds.
        case refuse(retryAfterMilliseconds: Int64)
    }

    /// The shortest time between the starts of two refreshes.
    let intervalMilliseconds: Int64
    /// Whether a fetch is running.
    private(set) var isFetching = false
    private var lastStart: Int64?

    /// Creates a gate that has never refreshed.
    init(intervalMilliseconds: Int64) {
        self.intervalMilliseconds = intervalMilliseconds
    }

    /// A request at `now` found no key for its `kid`.
    mutating func unknownKey(now: Int64) -> Decision {
        if isFetching {
            return .join
        }
        if let lastStart, now - lastStart < intervalMilliseconds {
            return .refuse(retryAfterMilliseconds: lastStart + intervalMilliseconds - now)
        }
        lastStart = now
        isFetching = true
        return .fetch
    }

    /// The fetch started by ``unknownKey(now:)`` ended (with or without new keys).
    mutating func fetchFinished() {
        isFetching = false
    }
}
