// SPDX-License-Identifier: Apache-2.0

import TocsinCore
import TocsinResponse

/// The dead-letter queue of a cluster, shared by its nodes (the embedded store keeps its own in
/// the routing store).
protocol SharedDeadLetters: Sendable {
    /// The dead letters `filter` selects, oldest first.
    func deadLetters(_ filter: DeliveryFilter) async throws -> [DeliveryRecord]

    /// Puts the dead letters `filter` selects back to pending at `now` with a fresh attempt budget.
    func redrive(_ filter: DeliveryFilter, now: Int64) async throws -> [RedrivenDelivery]

    /// Deletes the dead letters `filter` selects; returns their delivery ids.
    func purge(_ filter: DeliveryFilter) async throws -> [Int64]
}

/// Where a cluster node's routing administration differs from the embedded store's.
struct ClusterAdministration: Sendable {
    /// The shared dead letters.
    let deadLetters: any SharedDeadLetters
    /// The event stream, where redrives and purges are recorded.
    let log: any EventLog
}
