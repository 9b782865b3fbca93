// SPDX-License-Identifier: Apache-2.0

import Logging
import ServiceLifecycle
import TocsinConfig
import TocsinCore
import TocsinResponse
import TocsinStore

/// The delivery loop: carries out the ``DeliveryEngine``'s decisions against a ``DeliveryQueue``
/// and sleeps on the injected clock until the engine's next wake time, a router wake-up or a
/// finished attempt.
///
/// Attempts run as child tasks; their outcomes are written in batches (after
/// ``DeliveryEngine/Configuration/flushMilliseconds``, or sooner when ``flushBatch`` wait), each
/// with one `tocsin.delivery.*` event. A delivery stays `pending` in the queue while it is in
/// flight, so a crash retries it (at-least-once; receivers de-duplicate on `Idempotency-Key`). On
/// graceful shutdown the loop writes the outcomes it has and cancels the attempts still running,
/// which stay pending for the next start.
struct DeliveryService: Service {
    /// What wakes the loop besides its timer.
    enum Signal: Sendable {
        /// The router recorded deliveries.
        case routed
        /// Dead letters were redriven by hand.
        case redriven
        /// The timer reached the engine's wake time.
        case tick
        /// An attempt finished.
        case completed(DeliveryEngine.Completion)
    }

    /// Performs one attempt: the outcome and what the action reports about itself.
    typealias Perform =
        @Sendable (DeliveryRecord, LoggedEvent?, TargetDefinition?) async -> (AttemptOutcome, JSONValue?)

    let queue: any DeliveryQueue
    let log: any EventLog
    let identifiers: EventIdentifiers
    /// The target definitions in force (read on every pass, so a reload applies at once).
    let targets: @Sendable () -> [String: TargetDefinition]
    let perform: Perform
    let signals: AsyncStream<Signal>
    let signal: AsyncStream<Signal>.Continuation
    let clock: any WallClock
    let logger: Logger
    var configuration = DeliveryEngine.Configuration()
    var random: any RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()
    /// Outcomes written together at most; more are written at once.
    static let flushBatch = 512

    func run() async throws {
        let timer = WakeTimer()
        var loop = DeliveryLoop(
            engine: DeliveryEngine(configuration: configuration, random: random),
            service: self
        )
        await withDiscardingTaskGroup { group in
            let signal = self.signal
            group.addTask {
                await timer.run(clock: clock) {
                    signal.yield(.tick)
                }
            }
            timer.schedule(clock.now)
            for await event in signals.cancelOnGracefulShutdown() {
                let now = clock.milliseconds
                switch event {
                case .completed(let completion):
                    let decisions = loop.engine.handle(.completed(completion), now: now)
                    loop.take(decisions)
                    if loop.pendingCount >= Self.flushBatch {
                        await loop.flush(now: now, group: &group)
                    }
                case .routed:
                    await loop.pass(.routed, now: now, group: &group)
                case .redriven:
                    await loop.pass(.redriven(target: nil), now: now, group: &group)
                case .tick:
                    await loop.pass(.tick, now: now, group: &group)
                }
                timer.schedule(WallInstant(millisecondsSinceEpoch: loop.nextWake(now: now)))
            }
            // Shutting down: write what finished, so it is not attempted again after the restart;
            // attempts still running are cancelled and stay pending (at-least-once).
            await loop.flush(now: clock.milliseconds, group: &group)
            group.cancelAll()
        }
    }
}
