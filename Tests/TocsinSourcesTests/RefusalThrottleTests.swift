// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinSources

/// Refused syslog messages are reported at most once per interval, with the count they stand for.
struct RefusalThrottleTests {
    @Test func oneReportPerIntervalCountingTheQuietOnes() {
        var throttle = RefusalThrottle(interval: .seconds(1))
        let start = ContinuousClock.now
        #expect(throttle.refused(at: start) == 1, "the first refusal is reported at once")
        for step in 1...999 {
            #expect(throttle.refused(at: start + .milliseconds(step)) == nil)
        }
        #expect(throttle.refused(at: start + .seconds(1)) == 1000, "999 quiet ones and this one")
        #expect(throttle.refused(at: start + .seconds(5)) == 1)
    }
}
