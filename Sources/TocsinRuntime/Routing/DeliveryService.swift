// SPDX-License-Identifier: Apache-2.0

import Foundation
import Logging
import ServiceLifecycle
import TocsinConfig
import TocsinCore
import TocsinResponse
import TocsinStore

/// Attempts due deliveries with bounded concurrency per target and overall, one circuit breaker
/// per target, and the retry decisions of ``DeliveryDecision``; writes outcomes back in batches and
/// appends one `tocsin.delivery.*` event per attempt.
///
/// A delivery stays `pending` in the store while it is in flight, so a crash retries it
/// (at-least-once; receivers de-duplicate on `Idempotency-Key`).
struct DeliveryService: Service {
    /// Signals that drive the dispatcher loop.
    enum Signal: Sendable {
        case wake
        case tick
        case completed(Completion)
    }

    struct Completion: Sendable {
        var delivery: DeliveryRecord
        var outcome: AttemptOutcome
        var detail: JSONValue?
        var attemptMilliseconds: Int64
    }

    let store: EventStore
    let state: RoutingState
    let performer: ActionPerformer
    let signals: AsyncStream<Signal>
    let signal: AsyncStream<Signal>.Continuation
    let logger: Logger
    var maxInFlight = 256
    var tick: Duration = .milliseconds(5)
    /// Outcomes written together at most; more wait for the next tick.
    static let flushBatch = 512

    func run() async throws {
        var dispatcher = Dispatcher(maxInFlight: maxInFlight)
        await withDiscardingTaskGroup { group in
            let tick = self.tick
            let signal = self.signal
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: tick)
                    signal.yield(.tick)
                }
            }
            // Outcomes are written in batches (on every tick, or sooner when many are waiting);
            // new attempts start on a router wake-up immediately and otherwise on the tick.
            for await event in signals.cancelOnGracefulShutdown() {
                switch event {
                case .completed(let completion):
                    dispatcher.complete(completion, table: state.current, logger: logger)
                    if dispatcher.updates.count >= Self.flushBatch {
                        await flush(&dispatcher)
                    }
                case .wake:
                    await flush(&dispatcher)
                    await dispatch(&dispatcher, forced: true, group: &group)
                case .tick:
                    await flush(&dispatcher)
                    await dispatch(&dispatcher, forced: false, group: &group)
                }
            }
            group.cancelAll()
        }
    }

    private func flush(_ dispatcher: inout Dispatcher) async {
        guard !dispatcher.updates.isEmpty || !dispatcher.events.isEmpty else {
            return
        }
        do {
            if !dispatcher.events.isEmpty {
                _ = try await store.append(dispatcher.events)
            }
            try await store.routing.complete(dispatcher.updates)
            for update in dispatcher.updates {
                dispatcher.inFlight.remove(update.id)
            }
            dispatcher.updates.removeAll()
            dispatcher.events.removeAll()
        } catch {
            logger.error("Could not record delivery outcomes; will retry.", metadata: ["error": "\(error)"])
        }
        for target in dispatcher.redriveTargets {
            if let count = try? await store.routing.redrive(DeliveryFilter(target: target)), count > 0 {
                logger.notice("Circuit closed; redrove dead letters.", metadata: ["target": "\(target)", "count": "\(count)"])
            }
        }
        dispatcher.redriveTargets.removeAll()
    }

    private func dispatch(_ dispatcher: inout Dispatcher, forced: Bool, group: inout DiscardingTaskGroup) async {
        let now = Self.now()
        guard forced || now >= dispatcher.nextDueHint, dispatcher.inFlight.count < dispatcher.maxInFlight else {
            return
        }
        let table = state.current
        let blocked = dispatcher.blockedTargets(table: table, now: now)
        let due: [DeliveryRecord]
        do {
            due = try await store.routing.due(
                now: now,
                limit: dispatcher.maxInFlight - dispatcher.inFlight.count,
                excludingTargets: blocked,
                excludingIDs: dispatcher.inFlight
            )
        } catch {
            logger.error("Could not read due deliveries.", metadata: ["error": "\(error)"])
            return
        }
        var skipped = false
        for delivery in due {
            let target = table.targets[delivery.target]
            guard dispatcher.admit(delivery, target: target, now: now) else {
                skipped = true
                continue
            }
            let performer = self.performer
            let signal = self.signal
            group.addTask {
                let started = Self.now()
                let (outcome, detail) = await performer.perform(delivery, target: target)
                signal.yield(.completed(Completion(delivery: delivery, outcome: outcome, detail: detail, attemptMilliseconds: started)))
            }
        }
        if due.isEmpty || skipped {
            let next = (try? await store.routing.nextDue()).flatMap { $0 } ?? now + 1000
            dispatcher.nextDueHint = max(now + 1, min(next, now + 1000))
        } else {
            dispatcher.nextDueHint = now
        }
    }

    static func now() -> Int64 {
        Int64(Date().timeIntervalSince1970 * 1000)
    }
}
