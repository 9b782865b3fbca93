// SPDX-License-Identifier: Apache-2.0

import Synchronization
import TocsinCore
import TocsinSources

/// The enricher in force, swapped whole when a file is reloaded.
///
/// Appends take a snapshot per call, so an append in progress finishes with the version it started
/// with.
final class EnrichmentState: Sendable {
    private let current: Mutex<EventEnricher>

    init(_ enricher: EventEnricher) {
        current = Mutex(enricher)
    }

    /// The enricher in force.
    var enricher: EventEnricher {
        current.withLock { $0 }
    }

    /// Puts `enricher` in force for the appends that start from now on.
    func install(_ enricher: EventEnricher) {
        current.withLock { $0 = enricher }
    }
}

/// The log as ingestion sees it: every appended entry first gets its `enrichment`, on the
/// appending task (off the single writer's path), so what was found is hashed with the record.
///
/// Reads pass through unchanged. Tocsin's own events are appended to the store directly and are
/// not enriched.
struct EnrichingEventLog: EventLog {
    let base: any EventLog
    let state: EnrichmentState

    func append(entries: [LogEntry]) async throws -> [AppendReceipt] {
        let enricher = state.enricher
        guard !enricher.isEmpty else {
            return try await base.append(entries: entries)
        }
        return try await base.append(entries: entries.map(enricher.enriched))
    }

    func event(at sequence: Int64) async throws -> LoggedEvent? {
        try await base.event(at: sequence)
    }

    func query(_ query: EventQuery) async throws -> EventPage {
        try await base.query(query)
    }

    func lastSequence() async throws -> Int64 {
        try await base.lastSequence()
    }

    func waitForAppend(after sequence: Int64, timeout: Duration) async {
        await base.waitForAppend(after: sequence, timeout: timeout)
    }
}
