// SPDX-License-Identifier: Apache-2.0

import Logging
import TocsinConfig
import TocsinCore
import TocsinMetrics
import TocsinResponse
import TocsinStore

/// Outcomes handed to one write: rows, their events and the automatic redrives that follow them,
/// and what came of it.
struct DeliveryWrite: Sendable {
    var updates: [DeliveryUpdate]
    var events: [CloudEvent]
    var redrives: [String]
    /// When the write began (the time its redrives are dated).
    var now: Int64
    /// The rows and events were written.
    var isWritten = false
    /// The targets whose dead letters were redriven after the rows.
    var redriven: [String] = []
}

/// The delivery loop's state between wake-ups: the engine, and the rows, events and redrives its
/// decisions are waiting to have written.
///
/// One write runs at a time, beside the loop: while it waits for the disk, the loop goes on reading
/// due deliveries and starting attempts (outcomes not yet written stay excluded from reads), so a
/// slow commit (behind the router's or the log's) leaves no attempt slot idle.
struct DeliveryLoop {
    var engine: DeliveryEngine
    let service: DeliveryService
    private var updates: [DeliveryUpdate] = []
    private var events: [CloudEvent] = []
    private var redrives: [String] = []
    private var configured: [String: DeliveryEngine.Target]?
    /// The write under way, if any; it signals ``DeliveryService/Signal/written`` when it ends.
    private var writing: Task<DeliveryWrite, Never>?
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

    /// Begins writing what has waited long enough, hands the engine `input` and carries out what it
    /// decides.
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
            beginWrite(now: now)
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
                events.append(
                    DeliveryEvents.attempt(record, update: update, identifiers: service.identifiers, now: now)
                )
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

    /// Begins writing the waiting outcomes and their events, then the automatic redrives, unless a
    /// write is under way (the next one begins when it ends).
    mutating func beginWrite(now: Int64) {
        guard writing == nil, !updates.isEmpty || !events.isEmpty || !redrives.isEmpty else {
            return
        }
        let batch = DeliveryWrite(updates: updates, events: events, redrives: redrives, now: now)
        updates.removeAll()
        events.removeAll()
        redrives.removeAll()
        _ = engine.handle(.writing, now: now)
        let service = self.service
        writing = Task {
            let result = await Self.write(batch, service: service)
            service.signal.yield(.written)
            return result
        }
    }

    /// Waits for the write under way, if any, and tells the engine what came of it: the outcomes
    /// are recorded and the redriven targets read again, or they all wait to be written again.
    mutating func finishWrite(now: Int64, group: inout DiscardingTaskGroup) async {
        guard let task = writing else {
            return
        }
        let batch = await task.value
        writing = nil
        guard batch.isWritten else {
            hasFailedWrite = true
            _ = engine.handle(.writeFailed, now: now)
            updates = batch.updates + updates
            events = batch.events + events
            redrives = batch.redrives + redrives
            backoffUntil = now + 1000
            return
        }
        hasFailedWrite = false
        _ = engine.handle(.recorded(batch.updates.map(\.id)), now: now)
        for target in batch.redriven {
            let decisions = engine.handle(.redriven(target: target), now: now)
            await carryOut(decisions, now: now, definitions: service.targets(), group: &group)
        }
    }

    /// Writes a batch's events and rows, then runs its redrives.
    private static func write(_ batch: DeliveryWrite, service: DeliveryService) async -> DeliveryWrite {
        var batch = batch
        do {
            if !batch.events.isEmpty {
                _ = try await service.log.append(batch.events)
            }
            try await service.queue.complete(batch.updates)
        } catch {
            service.logger.error("Could not record delivery outcomes; will retry.", metadata: ["error": "\(error)"])
            return batch
        }
        batch.isWritten = true
        for target in batch.redrives {
            do {
                let redriven = try await service.queue.redrive(DeliveryFilter(target: target), now: batch.now)
                let count = redriven.count
                if count > 0 {
                    _ = try await service.log.append([
                        DeliveryEvents.redriven(redriven, at: batch.now, source: "/tocsin/delivery", actor: "tocsin")
                    ])
                    service.logger.notice(
                        "Circuit closed; redrove dead letters.",
                        metadata: ["target": "\(target)", "count": "\(count)"]
                    )
                }
                batch.redriven.append(target)
            } catch {
                service.logger.error(
                    "Could not redrive dead letters.",
                    metadata: ["target": "\(target)", "error": "\(error)"]
                )
            }
        }
        return batch
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
