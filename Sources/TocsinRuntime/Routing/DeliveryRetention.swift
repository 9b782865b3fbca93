// SPDX-License-Identifier: Apache-2.0

import Logging
import ServiceLifecycle
import TocsinCore
import TocsinStore

/// Deletes finished deliveries (succeeded or dry-run) older than the retention period.
///
/// It runs at start and then hourly, in batches so the writer is never held for long. Pending and
/// dead-lettered deliveries are kept, and the log's `tocsin.delivery.*` events (the audit trail)
/// are never touched. Each batch's ids go into a `tocsin.delivery.pruned` event, so the deliveries
/// projection drops the same rows.
struct DeliveryRetention: Service {
    let store: EventStore
    let retention: Duration
    let clock: any WallClock
    let logger: Logger
    /// Rows per delete statement.
    static let batch = 10_000

    func run() async throws {
        await cancelWhenGracefulShutdown {
            repeat {
                await prune()
            } while (try? await clock.sleep(for: .seconds(3600))) != nil
        }
    }

    private func prune() async {
        let cutoff = clock.milliseconds - retention.wholeMilliseconds
        var total = 0
        do {
            while !Task.isCancelled {
                let deleted = try await store.routing.pruneFinished(before: cutoff, limit: Self.batch)
                if !deleted.isEmpty {
                    _ = try await store.append([
                        DeliveryEvents.deleted(
                            deleted,
                            type: "tocsin.delivery.pruned",
                            source: "/tocsin/delivery",
                            actor: nil,
                            now: clock.milliseconds
                        )
                    ])
                }
                total += deleted.count
                if deleted.count < Self.batch {
                    break
                }
                await Task.yield()
            }
        } catch {
            logger.warning(
                "Pruning finished deliveries failed; will retry in an hour.",
                metadata: ["error": "\(error)"]
            )
        }
        if total > 0 {
            logger.info("Pruned finished deliveries past retention.", metadata: ["deliveries.pruned": "\(total)"])
        }
    }
}
