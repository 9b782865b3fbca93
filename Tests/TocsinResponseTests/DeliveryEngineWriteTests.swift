// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinResponse

/// One write of outcomes at a time: while it runs, nothing else is due to be written and the flush
/// does not wake the loop; outcomes decided meanwhile wait for it, and a failed write's wait again.
struct DeliveryEngineWriteTests {
    typealias F = EngineFixtures
    static let t: Int64 = 1_000_000
    static let poll: Int64 = 600_000

    @Test("a write under way holds the next one back; what was decided meanwhile is written after it")
    func oneWriteAtATime() {
        let t = Self.t
        var engine = DeliveryEngine(
            configuration: .init(maxInFlight: 8, pollMilliseconds: Self.poll, flushMilliseconds: 5),
            random: CeilingRandom()
        )
        _ = engine.handle(.configured([F.hook: DeliveryEngine.Target(maxConcurrency: 3)]), now: t)
        let (d1, d2) = (F.delivery(1, routed: t), F.delivery(2, routed: t))
        let ok = AttemptOutcome.succeeded(status: 200)
        F.run(
            &engine,
            [
                EngineStep(t, .tick, [.findTargets, F.fetch(limit: 3)]),
                EngineStep(
                    t,
                    F.fetched(limit: 3, [d1, d2]),
                    [.start(d1, isProbe: false), .start(d2, isProbe: false)]
                ),
                EngineStep(
                    t + 10,
                    F.completed(d1, ok, started: t),
                    [F.record(d1, ok, .succeeded, started: t, now: t + 10)],
                    wake: t + 15
                ),
                // The write of d1 begins: the flush no longer wakes the loop, the write's end will.
                EngineStep(t + 15, .writing, [], wake: t + Self.poll),
                EngineStep(
                    t + 20,
                    F.completed(d2, ok, started: t),
                    [F.record(d2, ok, .succeeded, started: t, now: t + 20)],
                    wake: t + Self.poll
                ),
            ]
        )
        #expect(!engine.isFlushDue(now: t + 100), "no second write while the first runs")
        #expect(engine.inFlightCount == 2)
        // d1 is written; d2, decided at t + 20, is due to be written 5 ms after that.
        F.run(&engine, [EngineStep(t + 30, .recorded([1]), [], wake: t + 25)])
        #expect(engine.isFlushDue(now: t + 30))
        #expect(engine.inFlightCount == 1)
        // Its write fails: it waits again from the failure, and stays excluded from reads meanwhile.
        F.run(
            &engine,
            [
                EngineStep(t + 30, .writing, [], wake: t + Self.poll),
                EngineStep(t + 40, .writeFailed, [], wake: t + 45),
            ]
        )
        #expect(!engine.isFlushDue(now: t + 44))
        #expect(engine.isFlushDue(now: t + 45))
        #expect(engine.inFlightCount == 1)
        F.run(
            &engine,
            [
                EngineStep(t + 45, .writing, []),
                EngineStep(t + 50, .recorded([2]), [], wake: t + Self.poll),
            ]
        )
        #expect(engine.inFlightCount == 0)
        #expect(!engine.isFlushDue(now: t + 1000))
    }
}
