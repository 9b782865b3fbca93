// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore

/// Token buckets as a table of (time, key) → decision.
struct RateLimiterTests {
    @Test("a burst is allowed, then one request per token refilled; Retry-After rounds up")
    func bucket() {
        var limiter = RateLimiter(rate: 2, burst: 3)
        let decisions = [0, 0, 0, 0, 499, 500, 500, 2000, 2000, 2000, 2000].map { limiter.spend("k", now: Int64($0)) }
        #expect(
            decisions == [
                .allowed, .allowed, .allowed, .limited(retryAfterSeconds: 1), .limited(retryAfterSeconds: 1), .allowed,
                .limited(retryAfterSeconds: 1), .allowed, .allowed, .allowed, .limited(retryAfterSeconds: 1),
            ]
        )
    }

    @Test("keys have their own buckets")
    func perKey() {
        var limiter = RateLimiter(rate: 1, burst: 1)
        #expect(limiter.spend("a", now: 0) == .allowed)
        #expect(limiter.spend("b", now: 0) == .allowed)
        #expect(limiter.spend("a", now: 0) == .limited(retryAfterSeconds: 1))
        #expect(!limiter.wouldAllow("a", now: 999))
        #expect(limiter.wouldAllow("a", now: 1000))
    }

    @Test("a slow rate asks for a longer wait")
    func retryAfter() {
        var limiter = RateLimiter(rate: 0.1, burst: 1)
        _ = limiter.spend("a", now: 0)
        #expect(limiter.spend("a", now: 0) == .limited(retryAfterSeconds: 10))
    }

    @Test("memory is bounded: past the key limit, full buckets are forgotten first")
    func bounded() {
        var limiter = RateLimiter(rate: 1, burst: 2, maximumKeys: 2)
        #expect(limiter.spend("a", now: 0) == .allowed)
        #expect(limiter.spend("b", now: 0) == .allowed)
        #expect(limiter.spend("a", now: 5000) == .allowed)
        // b refilled to full by now and is forgotten to make room; a spent one more and is kept.
        #expect(limiter.spend("c", now: 5000) == .allowed)
        #expect(limiter.spend("a", now: 5000) == .allowed)
        #expect(limiter.spend("a", now: 5000) == .limited(retryAfterSeconds: 1))
    }
}
