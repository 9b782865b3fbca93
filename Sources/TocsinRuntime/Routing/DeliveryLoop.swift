// SPDX-License-Identifier: Apache-2.0

import Logging
import TocsinConfig
import TocsinCore
import TocsinMetrics
import TocsinResponse
import TocsinStore

/// The delivery loop's state between wake-ups: the engine, and the rows, events and redrives its
/// decisions are waiting to have written.
struct DeliveryLoop {
    var engine: DeliveryEngine
    let service: DeliveryService
    private var updates: [DeliveryUpdate] = []
    private var events: [CloudEvent] = []
    private var redrives: [String] = []
    private var configured: [String: DeliveryEngine.Target]?
    /// After a failed read or write, the loop waits until then before trying again.
    private var backoffUntil: Int64?
    /// The last attempt to write outcomes failed (they stay pending in the queue).
    private(set) var hasFailedWrite = false

    init(engine: DeliveryEngine, service: DeliveryService) {
        self.engine = engine
        self.service = service
    }

    /// Outcomes waiting to be written.
    var pendingCount: Int { updates.count }

    /// When the loop should wake next.
    func nextWake(now: Int64) -> Int64 {
        if let backoffUntil, backoffUntil > now {
            return backoffUntil
        }
        return engine.nextWake(now: now)
    }

    /// Writes what has waited long enough, hands the engine `input` and carries out what it decides.
    ///
    /// Reads do not wait for the writes: outcomes not yet written stay excluded from them.
    mutating func pass(_ input: DeliveryEngine.Input, now: Int64, group: inout DiscardingTaskGroup) async {
        if let backoffUntil, backoffUntil > now, case .tick = input {
            return
        }
        backoffUntil = nil
        let definitions = service.targets()
        let settings = definitions.mapValues(DeliveryEngine.Target.init)
        if settings != configured {
            configured = settings
            _ = engine.handle(.configured(settings), now: now)
        }
        if engine.isFlushDue(now: now) || updates.count >= DeliveryService.flushBatch {
            await flush(now: now, group: &group)
        }
        await carryOut(engine.handle(input, now: now), now: now, definitions: definitions, group: &group)
    }

    /// Keeps the rows, events and redrives among `decisions` for the next flush.
    mutating func take(_ decisions: [DeliveryEngine.Decision]) {
        let now = service.clock.milliseconds
        for decision in decisions {
            switch decision {
            case .record(let update, let record):
                Self.count(update, target: record.delivery.target, metrics: service.metrics)
                updates.append(update)
                events.append(DeliveryEvents.attempt(record, identifiers: service.identifiers, now: now))
            case .breaker(let target, let transition):
                service.metrics.breaker(target: target, isOpen: transition == .opened)
                switch transition {
                case .opened:
                    service.logger.warning(
                        "Circuit opened; deliveries to the target wait.",
                        metadata: ["target": "\(target)"]
                    )
                case .closed:
                    service.logger.notice("Circuit closed; the target recovered.", metadata: ["target": "\(target)"])
                }
                events.append(DeliveryEvents.breaker(target: target, transition, now: now))
            case .redrive(let target):
                redrives.append(target)
            case .findTargets, .fetch, .start:
                break
            }
        }
    }

    /// Writes the waiting outcomes and their events, then runs the automatic redrives.
    mutating func flush(now: Int64, group: inout DiscardingTaskGroup) async {
        if !updates.isEmpty || !events.isEmpty {
            do {
                if !events.isEmpty {
                    _ = try await service.log.append(events)
                }
                try await service.queue.complete(updates)
                _ = engine.handle(.recorded(updates.map(\.id)), now: now)
                updates.removeAll()
                events.removeAll()
                hasFailedWrite = false
            } catch {
                hasFailedWrite = true
                service.logger.error("Could not record delivery outcomes; will retry.", metadata: ["error": "\(error)"])
                backoffUntil = now + 1000
                return
            }
        }
        let targets = redrives
        redrives.removeAll()
        for target in targets {
            do {
                let count = try await service.queue.redrive(DeliveryFilter(target: target), now: now)
                if count > 0 {
                    service.logger.notice(
                        "Circuit closed; redrove dead letters.",
                        metadata: ["target": "\(target)", "count": "\(count)"]
                    )
                }
                let decisions = engine.handle(.redriven(target: target), now: now)
                await carryOut(decisions, now: now, definitions: service.targets(), group: &group)
            } catch {
                service.logger.error(
                    "Could not redrive dead letters.",
                    metadata: ["target": "\(target)", "error": "\(error)"]
                )
            }
        }
    }

    /// Carries out decisions in order; reads answer the engine, whose further decisions follow.
    private mutating func carryOut(
        _ decisions: [DeliveryEngine.Decision],
        now: Int64,
        definitions: [String: TargetDefinition],
        group: inout DiscardingTaskGroup
    ) async {
        var work = decisions[...]
        var events: [Int64: LoggedEvent] = [:]
        while let decision = work.popFirst() {
            switch decision {
            case .findTargets:
                do {
                    let names = try await service.queue.pendingTargets()
                    work.append(contentsOf: engine.handle(.pendingTargets(names), now: now))
                } catch {
                    service.logger.error(
                        "Could not list targets with pending deliveries.",
                        metadata: ["error": "\(error)"]
                    )
                    backoffUntil = now + 1000
                }
            case .fetch(let fetch):
                do {
                    let due = try await service.queue.due(fetch, now: now)
                    for (delivery, event) in due.deliveries {
                        events[delivery.id] = event
                    }
                    let answer = DeliveryEngine.Input.fetched(
                        fetch,
                        deliveries: due.deliveries.map(\.delivery),
                        nextDueMilliseconds: due.nextDueMilliseconds
                    )
                    work.append(contentsOf: engine.handle(answer, now: now))
                } catch {
                    service.logger.error("Could not read due deliveries.", metadata: ["error": "\(error)"])
                    backoffUntil = now + 1000
                }
            case .start(let delivery, _):
                start(delivery, event: events[delivery.id], target: definitions[delivery.target], group: &group)
            case .record, .breaker, .redrive:
                take([decision])
            }
        }
    }

    private static func count(_ update: DeliveryUpdate, target: String, metrics: DeliveryMetrics) {
        switch update.state {
        case .succeeded: metrics.outcome(.succeeded, target: target)
        case .pending: metrics.outcome(.retrying, target: target)
        case .deadLettered: metrics.outcome(.deadLettered, target: target)
        case .dryRun: break
        }
    }

    private func start(
        _ delivery: DeliveryRecord,
        event: LoggedEvent?,
        target: TargetDefinition?,
        group: inout DiscardingTaskGroup
    ) {
        let perform = service.perform
        let signal = service.signal
        let clock = service.clock
        let metrics = service.metrics
        group.addTask {
            let started = clock.milliseconds
            let timer = ContinuousClock.now
            let (outcome, detail) = await perform(delivery, event, target)
            let elapsed = timer.duration(to: .now).components
            metrics.attempt(
                target: delivery.target,
                nanoseconds: elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000
            )
            signal.yield(
                .completed(
                    DeliveryEngine.Completion(
                        delivery: delivery,
                        outcome: outcome,
                        detail: detail,
                        startedMilliseconds: started
                    )
                )
            )
        }
    }
}
