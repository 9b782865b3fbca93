// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
public import TocsinCore
public import TocsinResponse

extension RoutingStore {
    /// A delivery a replay calls for (docs/replay.md).
    public struct ReplayDelivery: Sendable, Hashable {
        /// What is delivered: a logged event (live or archived), or an alert the replay raised,
        /// under the sequence number of the event that raised it.
        public var event: LoggedEvent
        /// The rule's name.
        public var rule: String
        /// The target's name.
        public var target: String
        /// What to send instead of the whole event, if anything.
        public var input: InputTransform?
        /// Record only; the rule or target is in dry-run mode.
        public var dryRun: Bool
        /// The delivery's idempotency key, unique within the replay.
        public var idempotencyKey: String

        /// Creates one.
        public init(
            event: LoggedEvent,
            rule: String,
            target: String,
            input: InputTransform?,
            dryRun: Bool,
            idempotencyKey: String
        ) {
            self.event = event
            self.rule = rule
            self.target = target
            self.input = input
            self.dryRun = dryRun
            self.idempotencyKey = idempotencyKey
        }
    }

    /// Queues a replay's deliveries, each with the record it delivers; one the replay already
    /// queued (the same idempotency key) is kept as it is, so a replay a restart runs again
    /// queues nothing twice.
    ///
    /// - Returns: How many were new.
    public func recordReplayDeliveries(_ deliveries: [ReplayDelivery], replay id: Int64) async throws -> Int {
        guard !deliveries.isEmpty else {
            return 0
        }
        let now = clock.milliseconds
        return try await pool.write { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT OR IGNORE INTO deliveries (event_seq, rule, target, input, state, routed_ms, next_ms,
                        replay_id, replay_key, replay_event)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            )
            var added = 0
            for delivery in deliveries {
                let input = delivery.input.map { JSONWriter().string(.object(JSONObject([$0.jsonMember]))) }
                let state: DeliveryState = delivery.dryRun ? .dryRun : .pending
                try statement.execute(
                    arguments: [
                        delivery.event.sequence, delivery.rule, delivery.target, input, state.rawValue, now, now,
                        id, delivery.idempotencyKey, Data(Self.carried(delivery.event)),
                    ]
                )
                added += db.changesCount
            }
            return added
        }
    }

    /// How many deliveries the replay `id` queued, by state.
    public func replayDeliveryCounts(replay id: Int64) async throws -> [DeliveryState: Int] {
        try await pool.read { db in
            var counts: [DeliveryState: Int] = [:]
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT state, COUNT(*) FROM deliveries WHERE replay_id = ? GROUP BY state",
                arguments: [id]
            )
            for row in rows {
                if let state = DeliveryState(rawValue: row[0]) {
                    counts[state] = row[1]
                }
            }
            return counts
        }
    }

    /// The record a replay's delivery carries, in the archive record coding (every column as the
    /// log stores it, so sealed personal fields stay sealed).
    private static func carried(_ event: LoggedEvent) -> [UInt8] {
        var record = LogRecord(
            entry: LogEntry(event: event.event, ocsf: event.ocsf, enrichment: event.enrichment),
            ingestMilliseconds: event.ingestMilliseconds
        )
        record.link(sequence: event.sequence, previousHash: [])
        var bytes: [UInt8] = []
        ArchiveRecordCoding.append(record, to: &bytes)
        return bytes
    }
}
