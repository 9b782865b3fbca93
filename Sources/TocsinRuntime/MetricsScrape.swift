// SPDX-License-Identifier: Apache-2.0

import Foundation
import TocsinMetrics
import TocsinStore

/// The body of `GET /metrics`: reads the gauges that are state (router lag, dead-letter depth, the
/// log's size on disk) from the store, then renders every metric.
///
/// Each read is an indexed query or a `stat`, so a scrape costs about as much as a `/readyz`. A read
/// that fails leaves its gauge at the last value.
struct MetricsScrape: Sendable {
    let store: EventStore
    let metrics: TocsinMetrics
    /// The SQLite database; its `-wal` file counts too.
    let databasePath: String

    func render() async -> [UInt8] {
        if let head = try? await store.lastSequence(),
            let cursor = try? await store.routing.cursor(RouterService.cursorName)
        {
            metrics.routing.lag(max(0, head - cursor))
        }
        if let dead = try? await store.routing.deadLetterCount() {
            metrics.delivery.deadLetters(dead)
        }
        metrics.log.sizeBytes(Self.fileSize(databasePath) + Self.fileSize(databasePath + "-wal"))
        return metrics.render()
    }

    private static func fileSize(_ path: String) -> Int64 {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return (attributes?[.size] as? NSNumber)?.int64Value ?? 0
    }
}
