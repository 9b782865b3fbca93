// SPDX-License-Identifier: Apache-2.0

/// Token buckets by key (an identity's name or an address) on injected time.
///
/// Each key may spend ``rate`` requests a second with bursts up to ``burst``. Memory is bounded:
/// past ``maximumKeys`` buckets, full ones are forgotten first (a full bucket is a fresh one).
public struct RateLimiter: Sendable {
    /// The outcome of one request.
    public enum Decision: Sendable, Hashable {
        /// Go ahead.
        case allowed
        /// Refuse; the caller may retry after this many whole seconds.
        case limited(retryAfterSeconds: Int)
    }

    private struct Bucket {
        var tokens: Double
        var updated: Int64
    }

    /// Requests per second each key may make in the long run.
    public let rate: Double
    /// The most requests a key may make at once.
    public let burst: Double
    /// The most keys tracked at once.
    public let maximumKeys: Int
    private var buckets: [String: Bucket] = [:]

    /// Creates a limiter; `rate` must be positive.
    public init(rate: Double, burst: Double, maximumKeys: Int = 65_536) {
        precondition(rate > 0 && burst >= 1, "a rate limit needs a positive rate and a burst of at least 1")
        self.rate = rate
        self.burst = burst
        self.maximumKeys = maximumKeys
    }

    /// Spends one token of `key` at `now` (milliseconds), if it has one.
    public mutating func spend(_ key: String, now: Int64) -> Decision {
        var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
        bucket.tokens = min(burst, bucket.tokens + Double(max(0, now - bucket.updated)) * rate / 1000)
        bucket.updated = now
        guard bucket.tokens >= 1 else {
            buckets[key] = bucket
            let wait = (1 - bucket.tokens) / rate
            return .limited(retryAfterSeconds: max(1, Int(wait.rounded(.up))))
        }
        bucket.tokens -= 1
        if buckets[key] == nil, buckets.count >= maximumKeys {
            forgetFull(now: now)
        }
        buckets[key] = bucket
        return .allowed
    }

    /// Whether `key` has a token at `now`, without spending it.
    public func wouldAllow(_ key: String, now: Int64) -> Bool {
        guard let bucket = buckets[key] else {
            return true
        }
        return min(burst, bucket.tokens + Double(max(0, now - bucket.updated)) * rate / 1000) >= 1
    }

    private mutating func forgetFull(now: Int64) {
        buckets = buckets.filter { $0.value.tokens + Double(max(0, now - $0.value.updated)) * rate / 1000 < burst }
        if buckets.count >= maximumKeys {
            buckets.removeAll(keepingCapacity: true)
        }
    }
}
