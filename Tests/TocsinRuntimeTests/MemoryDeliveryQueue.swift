// SPDX-License-Identifier: Apache-2.0

import Synchronization
import TocsinCore
import TocsinResponse

/// A delivery queue in memory that reports every written outcome on ``updates``, and can hold
/// writes back as a slow disk would.
final class MemoryDeliveryQueue: DeliveryQueue {
    private let rows = Mutex<[Int64: DeliveryRecord]>([:])
    /// Every outcome written, in order.
    let updates: AsyncStream<DeliveryUpdate>
    private let written: AsyncStream<DeliveryUpdate>.Continuation
    /// Whether writes wait for ``releaseWrites()``, and the writes waiting.
    private let gate = Mutex<(isHolding: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))
    /// One element each time a write begins to wait.
    let heldWrites: AsyncStream<Void>
    private let held: AsyncStream<Void>.Continuation

    init() {
        (updates, written) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
        (heldWrites, held) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
    }

    /// Makes every write from now on wait until ``releaseWrites()``.
    func holdWrites() {
        gate.withLock { $0.isHolding = true }
    }

    /// Lets the waiting writes and every later one go through.
    func releaseWrites() {
        let waiting = gate.withLock { gate in
            gate.isHolding = false
            defer { gate.waiting.removeAll() }
            return gate.waiting
        }
        for continuation in waiting {
            continuation.resume()
        }
    }

    func insert(_ delivery: DeliveryRecord) {
        rows.withLock { $0[delivery.id] = delivery }
    }

    func due(_ fetch: DeliveryFetch, now: Int64) async throws -> DueDeliveries {
        rows.withLock { rows in
            let pending = rows.values.filter { $0.target == fetch.target && $0.state == .pending }
            let due = pending.filter { $0.nextAttemptMilliseconds <= now && !fetch.excluding.contains($0.id) }
                .sorted { ($0.nextAttemptMilliseconds, $0.id) < ($1.nextAttemptMilliseconds, $1.id) }
                .prefix(fetch.limit)
            let next = pending.map(\.nextAttemptMilliseconds).filter { $0 > now }.min()
            return DueDeliveries(deliveries: due.map { ($0, nil) }, nextDueMilliseconds: next)
        }
    }

    func pendingTargets() async throws -> [String] {
        rows.withLock { rows in Array(Set(rows.values.filter { $0.state == .pending }.map(\.target))) }
    }

    func complete(_ updates: [DeliveryUpdate]) async throws {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let isHeld = gate.withLock { gate in
                if gate.isHolding {
                    gate.waiting.append(continuation)
                }
                return gate.isHolding
            }
            if isHeld {
                held.yield()
            } else {
                continuation.resume()
            }
        }
        rows.withLock { rows in
            for update in updates {
                rows[update.id]?.state = update.state
                rows[update.id]?.attempts = update.attempts
                rows[update.id]?.nextAttemptMilliseconds = update.nextAttemptMilliseconds
                rows[update.id]?.lastAttemptMilliseconds = update.attemptMilliseconds
                rows[update.id]?.lastFailure = update.failure
                rows[update.id]?.deadLetterReason = update.deadLetterReason
            }
        }
        for update in updates {
            written.yield(update)
        }
    }

    func redrive(_ filter: DeliveryFilter, now: Int64) async throws -> [RedrivenDelivery] {
        rows.withLock { rows in
            var redriven: [RedrivenDelivery] = []
            for (id, row) in rows where row.state == .deadLettered && (filter.target.map { $0 == row.target } ?? true) {
                rows[id]?.state = .pending
                rows[id]?.attempts = 0
                rows[id]?.nextAttemptMilliseconds = now
                rows[id]?.redrives += 1
                redriven.append(RedrivenDelivery(id: id, target: row.target, redrives: row.redrives + 1))
            }
            return redriven.sorted { $0.id < $1.id }
        }
    }
}
