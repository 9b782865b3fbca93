// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinTesting

@Suite("Wall clocks")
struct WallClockTests {
    @Test(
        "durations convert to whole milliseconds, rounding down",
        arguments: [
            (Duration.milliseconds(1500), Int64(1500)),
            (.seconds(2), 2000),
            (.microseconds(1999), 1),
            (.microseconds(-1), -1),
            (.milliseconds(-3), -3),
            (.zero, 0),
        ]
    )
    func wholeMilliseconds(duration: Duration, expected: Int64) {
        #expect(duration.wholeMilliseconds == expected)
    }

    @Test("instants advance and measure in milliseconds")
    func instants() {
        let start = WallInstant(millisecondsSinceEpoch: 1_000)
        #expect(start.advanced(by: .seconds(3)).millisecondsSinceEpoch == 4_000)
        #expect(start.duration(to: WallInstant(millisecondsSinceEpoch: 250)) == .milliseconds(-750))
        #expect(start < start.advanced(by: .milliseconds(1)))
    }

    @Test("the system clock reads a time after this code was written")
    func systemClock() {
        #expect(SystemWallClock().milliseconds > 1_764_547_200_000)
    }

    @Test("a sleeper wakes only when the manual clock reaches its deadline")
    func manualSleep() async throws {
        let clock = ManualClock()
        let start = clock.now
        let woke = Task { () -> WallInstant in
            try await clock.sleep(until: start.advanced(by: .seconds(10)), tolerance: nil)
            return clock.now
        }
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(9))
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .seconds(1))
        #expect(try await woke.value == start.advanced(by: .seconds(10)))
        #expect(clock.sleeperCount == 0)
    }

    @Test("a deadline already passed returns at once")
    func pastDeadline() async throws {
        let clock = ManualClock()
        try await clock.sleep(until: clock.now.advanced(by: .seconds(-1)), tolerance: nil)
        #expect(clock.sleeperCount == 0)
    }

    @Test("cancelling a sleeper throws CancellationError and forgets it")
    func cancellation() async {
        let clock = ManualClock()
        let sleeper = Task {
            try await clock.sleep(until: clock.now.advanced(by: .seconds(60)), tolerance: nil)
        }
        await clock.waitForSleepers(1)
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(clock.sleeperCount == 0)
    }

    @Test("setting the clock back wakes nobody")
    func stepBack() async {
        let clock = ManualClock()
        let start = clock.now
        let sleeper = Task { try await clock.sleep(until: start.advanced(by: .seconds(1)), tolerance: nil) }
        await clock.waitForSleepers(1)
        clock.set(start.advanced(by: .seconds(-30)))
        #expect(clock.sleeperCount == 1)
        clock.set(start.advanced(by: .seconds(1)))
        await #expect(throws: Never.self) { try await sleeper.value }
    }

    @Test("a cancelled wait for sleepers returns, so a test past its time limit ends instead of hanging")
    func cancelledWaitForSleepers() async {
        let clock = ManualClock()
        let waiter = Task {
            await clock.waitForSleepers(1)
            return clock.sleeperCount
        }
        waiter.cancel()
        #expect(await waiter.value == 0)
    }
}
