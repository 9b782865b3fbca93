// SPDX-License-Identifier: Apache-2.0

import Crypto
import Logging
import Synchronization
import Testing
import TocsinActions
import TocsinConfig
import TocsinCore
import TocsinResponse
import TocsinStore
import TocsinTesting

@testable import TocsinRuntime

/// The delivery loop against a manual clock: it sleeps until the engine's next due time and wakes
/// when the clock gets there, or at once when the router signals.
struct DeliveryServiceTests {
    /// One attempt the fake target saw.
    struct Seen: Sendable, Equatable {
        var id: Int64
        var started: Int64
    }

    /// Answers 503 to the first attempt and 200 to every later one, and reports each attempt.
    final class FlakyTarget: Sendable {
        private let calls = Mutex(0)
        let seen: AsyncStream<Seen>
        private let report: AsyncStream<Seen>.Continuation
        let clock: ManualClock

        init(clock: ManualClock) {
            self.clock = clock
            (seen, report) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
        }

        var count: Int { calls.withLock { $0 } }

        func perform(_ delivery: DeliveryRecord) -> AttemptOutcome {
            let call = calls.withLock { calls in
                calls += 1
                return calls
            }
            report.yield(Seen(id: delivery.id, started: clock.milliseconds))
            return call == 1
                ? .failed(AttemptFailure(kind: .httpStatus, status: 503, message: "unavailable"))
                : .succeeded(status: 200)
        }
    }

    static func delivery(_ id: Int64, due: Int64) -> DeliveryRecord {
        DeliveryRecord(
            id: id,
            eventSequence: id,
            rule: "rule",
            target: "hook",
            input: nil,
            state: .pending,
            attempts: 0,
            routedMilliseconds: due,
            nextAttemptMilliseconds: due,
            firstAttemptMilliseconds: nil,
            lastAttemptMilliseconds: nil,
            lastFailure: nil,
            deadLetterReason: nil,
            redrives: 0
        )
    }

    static func target() throws -> TargetDefinition {
        var target = try TargetDefinition(
            name: "hook",
            json: try JSONParser().parse(#"{"kind": "webhook", "url": "http://127.0.0.1:9/hook"}"#),
            kinds: ActionRegistry.targetKinds
        )
        target.retry = RetryPolicy(maxAttempts: 5, maxEventAgeMilliseconds: 3_600_000, baseDelayMilliseconds: 1000)
        return target
    }

    @Test(
        "a retry waits for the clock to reach its due time; a router signal starts new work at once",
        .timeLimit(.minutes(3))
    )
    func loopWakesOnTheClock() async throws {
        let clock = ManualClock()
        let t0 = clock.milliseconds
        let queue = MemoryDeliveryQueue()
        queue.insert(Self.delivery(1, due: t0))
        let flaky = FlakyTarget(clock: clock)
        let definitions = ["hook": try Self.target()]
        let (signals, signal) = AsyncStream.makeStream(of: DeliveryService.Signal.self, bufferingPolicy: .unbounded)
        let service = DeliveryService(
            queue: queue,
            log: InMemoryEventLog(),
            identifiers: EventIdentifiers(nodeKey: Curve25519.Signing.PrivateKey()),
            targets: { definitions },
            perform: { delivery, _, _ in (flaky.perform(delivery), nil) },
            signals: signals,
            signal: signal,
            clock: clock,
            logger: Logger(label: "test"),
            configuration: DeliveryEngine.Configuration(maxInFlight: 8, pollMilliseconds: 60_000, flushMilliseconds: 0),
            random: CeilingRandom()
        )
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await service.run() }
            var seen = flaky.seen.makeAsyncIterator()
            var written = queue.updates.makeAsyncIterator()

            #expect(await seen.next() == Seen(id: 1, started: t0))
            let retry = await written.next()
            #expect(retry?.state == .pending && retry?.nextAttemptMilliseconds == t0 + 1000)
            // The loop sleeps on the clock now; nothing else can start the retry.
            await clock.waitForSleepers(1)
            #expect(flaky.count == 1)

            clock.advance(by: .milliseconds(1000))
            #expect(await seen.next() == Seen(id: 1, started: t0 + 1000))
            #expect(await written.next()?.state == .succeeded)

            queue.insert(Self.delivery(2, due: t0 + 1000))
            signal.yield(.routed)
            #expect(await seen.next() == Seen(id: 2, started: t0 + 1000))
            #expect(await written.next()?.state == .succeeded)
            #expect(clock.milliseconds == t0 + 1000, "the router's signal needed no clock movement")
            group.cancelAll()
        }
    }

    @Test("an outcome waiting for the disk holds back neither reads nor attempts", .timeLimit(.minutes(3)))
    func attemptsGoOnWhileAWriteWaits() async throws {
        let clock = ManualClock()
        let t0 = clock.milliseconds
        let queue = MemoryDeliveryQueue()
        queue.holdWrites()
        queue.insert(Self.delivery(1, due: t0))
        let (started, start) = AsyncStream.makeStream(of: Int64.self, bufferingPolicy: .unbounded)
        let definitions = ["hook": try Self.target()]
        let (signals, signal) = AsyncStream.makeStream(of: DeliveryService.Signal.self, bufferingPolicy: .unbounded)
        let service = DeliveryService(
            queue: queue,
            log: InMemoryEventLog(),
            identifiers: EventIdentifiers(nodeKey: Curve25519.Signing.PrivateKey()),
            targets: { definitions },
            perform: { delivery, _, _ in
                start.yield(delivery.id)
                return (.succeeded(status: 200), nil)
            },
            signals: signals,
            signal: signal,
            clock: clock,
            logger: Logger(label: "test"),
            configuration: DeliveryEngine.Configuration(maxInFlight: 8, pollMilliseconds: 60_000, flushMilliseconds: 0),
            random: CeilingRandom()
        )
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await service.run() }
            var attempts = started.makeAsyncIterator()
            var held = queue.heldWrites.makeAsyncIterator()
            var written = queue.updates.makeAsyncIterator()

            #expect(await attempts.next() == 1)
            // The outcome of 1 is being written, and the write waits for the disk.
            await held.next()
            queue.insert(Self.delivery(2, due: t0))
            signal.yield(.routed)
            #expect(await attempts.next() == 2, "read and started while the write of 1 waited")

            queue.releaseWrites()
            let first = await written.next()
            let second = await written.next()
            #expect(first?.id == 1 && first?.state == .succeeded)
            #expect(second?.id == 2 && second?.state == .succeeded)
            group.cancelAll()
        }
    }
}

/// Every draw is the largest value, so full jitter waits the whole backoff ceiling.
struct CeilingRandom: RandomNumberGenerator, Sendable {
    mutating func next() -> UInt64 { .max }
}
