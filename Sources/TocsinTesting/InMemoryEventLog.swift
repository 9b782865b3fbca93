// SPDX-License-Identifier: Apache-2.0

import Synchronization
public import TocsinCore

/// An ``EventLog`` in memory, for unit tests of code that uses the port (no durability, no chain).
public final class InMemoryEventLog: EventLog, Sendable {
    private let events = Mutex<[LoggedEvent]>([])

    /// Creates an empty log.
    public init() {}

    /// Appends entries, recognising duplicate `source`+`id`.
    public func append(entries: [LogEntry]) async throws -> [AppendReceipt] {
        events.withLock { events in
            entries.map { entry in
                let event = entry.event
                if let existing = events.first(where: { $0.event.source == event.source && $0.event.id == event.id }) {
                    return AppendReceipt(sequence: existing.sequence, isDuplicate: true)
                }
                let sequence = Int64(events.count + 1)
                events.append(
                    LoggedEvent(
                        sequence: sequence,
                        event: event,
                        ingestMilliseconds: 0,
                        hash: [],
                        ocsf: entry.ocsf,
                        enrichment: entry.enrichment
                    )
                )
                return AppendReceipt(sequence: sequence, isDuplicate: false)
            }
        }
    }

    /// The event at `sequence`.
    public func event(at sequence: Int64) async throws -> LoggedEvent? {
        events.withLock { events in
            sequence >= 1 && sequence <= events.count ? events[Int(sequence - 1)] : nil
        }
    }

    /// Filters like the store does (source, type, subject, time range, cursor, limit).
    public func query(_ query: EventQuery) async throws -> EventPage {
        let matching = events.withLock { events in
            events.filter { logged in
                let event = logged.event
                let time = event.time?.epochMilliseconds
                return logged.sequence > query.after && (query.source.map { $0 == event.source } ?? true)
                    && (query.type.map { $0 == event.type } ?? true)
                    && (query.subject.map { $0 == event.subject } ?? true)
                    && (query.timeFrom.map { from in time.map { $0 >= from } ?? false } ?? true)
                    && (query.timeTo.map { to in time.map { $0 < to } ?? false } ?? true)
            }
        }
        let page = Array(matching.prefix(query.limit))
        return EventPage(events: page, nextCursor: matching.count > query.limit ? page.last?.sequence : nil)
    }

    /// The number of stored events.
    public func lastSequence() async throws -> Int64 {
        events.withLock { Int64($0.count) }
    }

    /// Sleeps for `timeout` unless an event past `sequence` already exists.
    public func waitForAppend(after sequence: Int64, timeout: Duration) async {
        if (try? await lastSequence()) ?? 0 > sequence {
            return
        }
        try? await Task.sleep(for: timeout)
    }
}
