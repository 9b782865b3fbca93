// SPDX-License-Identifier: Apache-2.0

import Logging
import ServiceLifecycle
import TocsinConfig
import TocsinCore
import TocsinMetrics
import TocsinResponse
import TocsinStore

/// The delivery loop: carries out the ``DeliveryEngine``'s decisions against a ``DeliveryQueue``
/// and sleeps on the injected clock until the engine's next wake time, a router wake-up or a
/// finished attempt.
///
/// Attempts run as child tasks; their outcomes are written in batches (after
/// ``DeliveryEngine/Configuration/flushMilliseconds``, or sooner when ``flushBatch`` wait), each
/// with one `tocsin.delivery.*` event, one write at a time beside the loop, which meanwhile goes on
/// reading and starting attempts. A delivery stays `pending` in the queue while it is in
/// flight, so a crash retries it (at-least-once; receivers de-duplicate on `Idempotency-Key`). On
/// graceful shutdown the loop starts nothing more, lets the running attempts finish (each is bounded
/// by its target's timeout) and writes their outcomes; when cancelled, attempts still running stay
/// pending for the next start.
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
        /// The write of outcomes under way ended.
        case written
        /// Graceful shutdown began: start nothing more, let running attempts finish.
        case shutdown
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
    /// Outcomes by target, attempt latency and breakers.
    var metrics: DeliveryMetrics = TocsinMetrics.disabled().delivery
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
            var isStopping = false
            await withGracefulShutdownHandler {
                for await event in signals {
                    let now = clock.milliseconds
                    switch event {
                    case .completed(let completion):
                        let decisions = loop.engine.handle(.completed(completion), now: now)
                        loop.take(decisions)
                        if loop.pendingCount >= Self.flushBatch || isStopping {
                            loop.beginWrite(now: now)
                        }
                    case .written:
                        await loop.finishWrite(now: now, group: &group)
                        if isStopping || loop.engine.isFlushDue(now: now) {
                            loop.beginWrite(now: now)
                        }
                    case .routed where !isStopping:
                        await loop.pass(.routed, now: now, group: &group)
                    case .redriven where !isStopping:
                        await loop.pass(.redriven(target: nil), now: now, group: &group)
                    case .tick where !isStopping:
                        await loop.pass(.tick, now: now, group: &group)
                    case .shutdown:
                        isStopping = true
                        loop.beginWrite(now: now)
                    case .routed, .redriven, .tick:
                        break
                    }
                    // Stop once everything that ran is written, or when writing fails: what is not
                    // written stays pending and is attempted again after the restart.
                    if isStopping && (loop.engine.inFlightCount == 0 || loop.hasFailedWrite) {
                        break
                    }
                    timer.schedule(WallInstant(millisecondsSinceEpoch: loop.nextWake(now: now)))
                }
            } onGracefulShutdown: {
                signal.yield(.shutdown)
            }
            // Stopping: the attempts that were running have finished and their outcomes are written.
            // When cancelled instead, end the write under way and write what finished; attempts still
            // running are cancelled and stay pending for the next start (at-least-once).
            await loop.finishWrite(now: clock.milliseconds, group: &group)
            loop.beginWrite(now: clock.milliseconds)
            await loop.finishWrite(now: clock.milliseconds, group: &group)
            group.cancelAll()
        }
    }
}
