// SPDX-License-Identifier: Apache-2.0

import Foundation
import Logging
import ServiceLifecycle
import Synchronization
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
        var dispatcher = Dispatcher(maxInFlight: maxInFlight, identifiers: store.identifiers)
        await withDiscardingTaskGroup { group in
            let tick = self.tick
            let signal = self.signal
            let tickPending = TickLatch()
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: tick)
                    // At most one tick waits in the stream: a slow pass must not build a backlog.
                    if tickPending.arm() {
                        signal.yield(.tick)
                    }
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
                    tickPending.release()
                    await flush(&dispatcher)
                    await dispatch(&dispatcher, forced: false, group: &group)
                }
            }
            // Shutting down: write what finished, so it is not attempted again after the restart;
            // attempts still running are cancelled and stay pending (at-least-once).
            await flush(&dispatcher)
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
                dispatcher.finish(update.id)
            }
            dispatcher.updates.removeAll()
            dispatcher.events.removeAll()
        } catch {
            logger.error("Could not record delivery outcomes; will retry.", metadata: ["error": "\(error)"])
        }
        for target in dispatcher.redriveTargets {
            if let count = try? await store.routing.redrive(DeliveryFilter(target: target)), count > 0 {
                logger.notice(
                    "Circuit closed; redrove dead letters.",
                    metadata: ["target": "\(target)", "count": "\(count)"]
                )
            }
        }
        dispatcher.redriveTargets.removeAll()
    }

    /// Starts due attempts: per target, as many as its concurrency and breaker allow.
    ///
    /// The overall in-flight limit applies too. Each query is an index seek on (target, state, next_ms).
    private func dispatch(_ dispatcher: inout Dispatcher, forced: Bool, group: inout DiscardingTaskGroup) async {
        let now = Self.now()
        guard forced || now >= dispatcher.nextDueHint else {
            return
        }
        let table = state.current
        var targets = table.targets.keys.sorted()
        if now >= dispatcher.orphanCheck {
            dispatcher.orphanCheck = now + 2000
            let pending = (try? await store.routing.pendingTargets()) ?? []
            targets += pending.filter { table.targets[$0] == nil }
        }
        var capacityLimited = false
        for name in targets {
            let target = table.targets[name]
            let room = dispatcher.room(for: name, target: target, now: now)
            guard room > 0 else {
                continue
            }
            let due: [(delivery: DeliveryRecord, event: LoggedEvent?)]
            do {
                due = try await store.routing.due(
                    target: name,
                    now: now,
                    limit: room,
                    excluding: dispatcher.inFlight(for: name)
                )
            } catch {
                logger.error("Could not read due deliveries.", metadata: ["error": "\(error)"])
                return
            }
            capacityLimited = capacityLimited || due.count == room
            for (delivery, event) in due where dispatcher.admit(delivery, target: target, now: now) {
                let performer = self.performer
                let signal = self.signal
                group.addTask {
                    let started = Self.now()
                    let (outcome, detail) = await performer.perform(delivery, event: event, target: target)
                    signal.yield(
                        .completed(
                            Completion(
                                delivery: delivery,
                                outcome: outcome,
                                detail: detail,
                                attemptMilliseconds: started
                            )
                        )
                    )
                }
            }
        }
        if capacityLimited {
            dispatcher.nextDueHint = now
        } else {
            let next = (try? await store.routing.nextDue()).flatMap { $0 } ?? now + 1000
            dispatcher.nextDueHint = max(now + 1, min(next, now + 1000))
        }
    }

    /// Remembers whether a tick is waiting in the stream.
    final class TickLatch: Sendable {
        private let pending = Mutex(false)

        /// Marks a tick as waiting; returns `false` when one already was.
        func arm() -> Bool {
            pending.withLock { pending in
                defer { pending = true }
                return !pending
            }
        }

        func release() {
            pending.withLock { $0 = false }
        }
    }

    static func now() -> Int64 {
        Int64(Date().timeIntervalSince1970 * 1000)
    }
}
