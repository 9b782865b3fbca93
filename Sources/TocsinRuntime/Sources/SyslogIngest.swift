// SPDX-License-Identifier: Apache-2.0

import Foundation
import Logging
import Synchronization
import TocsinCore
import TocsinMetrics
import TocsinSchema
import TocsinServer
import TocsinSources

/// Normalises syslog messages and appends them, counting what was refused.
///
/// Refused messages are logged with their peer and the error's location, never their content, and
/// at most once a second (the line counts the refusals it stands for).
final class SyslogIngest: Sendable {
    private let log: any EventLog
    private let logger: Logger
    private let enricher: (any OCSFEnricher)?
    private let clock: any WallClock
    private let rejected = Atomic<Int>(0)
    private let throttle = Mutex(RefusalThrottle())
    /// Lines received and dropped; the listeners count their own drops here too.
    let metrics: SyslogMetrics
    private let ingestMetrics: IngestMetrics
    /// The schemas each message's event is checked against; a message that breaks one is refused.
    private let schemas: (any SchemaAdministration)?

    init(
        log: any EventLog,
        logger: Logger,
        enricher: (any OCSFEnricher)?,
        clock: any WallClock,
        metrics: TocsinMetrics = .disabled(),
        schemas: (any SchemaAdministration)? = nil
    ) {
        self.log = log
        self.schemas = schemas
        self.metrics = metrics.syslog
        self.ingestMetrics = metrics.ingest
        self.clock = clock
        self.logger = logger
        self.enricher = enricher
    }

    /// Normalises `messages` from `peer` and appends the good ones in one commit.
    ///
    /// - Throws: When the log refuses the append (the messages are then not acknowledged).
    func ingest(_ messages: [[UInt8]], peer: String) async throws {
        let normalizer = SyslogNormalizer(referenceMilliseconds: clock.milliseconds)
        metrics.received(messages.count)
        var entries: [LogEntry] = []
        entries.reserveCapacity(messages.count)
        let registry = schemas?.registry
        for message in messages {
            let entry: LogEntry
            do throws(SourceError) {
                entry = try normalizer.normalize(bytes: message).checkedAndEnriched(by: enricher)
            } catch {
                refuse(error, peer: peer)
                continue
            }
            if let rejection = registry?.firstRejection(in: [entry.event]) {
                refuse(rejection, peer: peer)
                continue
            }
            entries.append(entry)
        }
        if !entries.isEmpty {
            let receipts = try await log.append(entries: entries)
            var duplicates = 0
            for receipt in receipts where receipt.isDuplicate {
                duplicates += 1
            }
            ingestMetrics.accepted(.syslog, stored: receipts.count - duplicates, duplicates: duplicates)
        }
    }

    /// Counts a refused message and logs the refusal (at most once a second), never the message's content.
    private func refuse(_ error: any Error, peer: String) {
        metrics.dropped(.malformed)
        let total = rejected.add(1, ordering: .relaxed).newValue
        if let count = throttle.withLock({ $0.refused(at: .now) }) {
            logger.warning(
                "Refused syslog messages.",
                metadata: [
                    "peer": "\(peer)", "error": "\(error)", "syslog.rejected": "\(count)",
                    "syslog.rejected.total": "\(total)",
                ]
            )
        }
    }
}
