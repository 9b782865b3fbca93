// SPDX-License-Identifier: Apache-2.0

import GRDB
import TocsinCore
public import TocsinResponse

/// Routing state in the store: rule and target definitions, the router's cursor, and deliveries
/// (pending, done, dead-lettered) with the dead-letter queue's operations.
///
/// A target's row holds its definition with each secret replaced by its fingerprint, and the
/// secrets are sealed in the secret store (``DefinitionSealer``, `target_secrets`); rows of older
/// versions hold the whole definition sealed until `tocsin serve` splits them. Rule definitions
/// hold no secrets and are stored as written.
public final class RoutingStore: Sendable {
    let pool: DatabasePool
    let sealer: DefinitionSealer
    /// The wall clock that dates definitions, routes and redrives.
    let clock: any WallClock

    init(pool: DatabasePool, sealer: DefinitionSealer, clock: any WallClock) {
        self.pool = pool
        self.sealer = sealer
        self.clock = clock
    }

    /// What a definition row holds.
    public enum DefinitionKind: String, Sendable {
        case rule
        case target
    }

    /// A delivery to create when an event is routed.
    public struct NewDelivery: Sendable, Hashable {
        /// The event's sequence number in the log.
        public var eventSequence: Int64
        /// The rule's name.
        public var rule: String
        /// The target's name.
        public var target: String
        /// What to send instead of the whole event, if anything.
        public var input: InputTransform?
        /// Record only; the rule or target is in dry-run mode.
        public var dryRun: Bool

        /// Creates one.
        public init(eventSequence: Int64, rule: String, target: String, input: InputTransform?, dryRun: Bool) {
            self.eventSequence = eventSequence
            self.rule = rule
            self.target = target
            self.input = input
            self.dryRun = dryRun
        }
    }

    // MARK: - Definitions

    /// Every stored definition of `kind`, as its JSON text (targets decrypted), or for a target
    /// that does not decrypt, a ``StoreError`` (``StoreError/Code/corruptRecord``) saying why.
    public func definitions(
        _ kind: DefinitionKind
    ) async throws -> [(name: String, json: Result<String, StoreError>)] {
        guard kind == .rule else {
            return try await targetDefinitions()
        }
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT name, json FROM definitions WHERE kind = ? ORDER BY name",
                arguments: [kind.rawValue]
            )
            .map { (name: $0["name"] as String, json: .success($0["json"] as String)) }
        }
    }

    /// Encrypts target definitions stored in clear by a version before encryption at rest, and
    /// overwrites the freed pages, so the database file no longer holds them in clear.
    func sealClearTargets() throws {
        try pool.writeWithoutTransaction { db in
            let clear = try Row.fetchAll(db, sql: "SELECT name, json FROM definitions WHERE kind = 'target'")
                .map { (name: $0["name"] as String, json: $0["json"] as String) }
                .filter { !DefinitionSealer.isSealed($0.json) && StoredTargetRow(text: $0.json) == nil }
            guard !clear.isEmpty else {
                return
            }
            try db.execute(sql: "PRAGMA secure_delete = ON")
            try db.inTransaction {
                for row in clear {
                    try db.execute(
                        sql: "UPDATE definitions SET json = ? WHERE kind = 'target' AND name = ?",
                        arguments: [try sealer.seal(row.json, kind: "target", name: row.name), row.name]
                    )
                }
                return .commit
            }
            try db.execute(sql: "PRAGMA secure_delete = OFF")
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }

    /// Stores a definition; returns whether it is new.
    public func putDefinition(_ kind: DefinitionKind, name: String, json: String) async throws -> Bool {
        try await putDefinition(kind, name: name, json: json, at: clock.milliseconds)
    }

    /// Stores a definition dated `now` (the time of its `tocsin.rule.*` or `tocsin.target.*`
    /// event, so the rule definitions projection rebuilds the same row); returns whether it is new.
    public func putDefinition(_ kind: DefinitionKind, name: String, json: String, at now: Int64) async throws -> Bool {
        let stored = kind == .target ? try sealer.seal(json, kind: kind.rawValue, name: name) : json
        return try await pool.write { db in
            let existed =
                try Bool.fetchOne(
                    db,
                    sql: "SELECT EXISTS (SELECT 1 FROM definitions WHERE kind = ? AND name = ?)",
                    arguments: [kind.rawValue, name]
                ) ?? false
            try db.execute(
                sql: "INSERT OR REPLACE INTO definitions (kind, name, json, updated_ms) VALUES (?, ?, ?, ?)",
                arguments: [kind.rawValue, name, stored, now]
            )
            return !existed
        }
    }

    /// Deletes a definition; returns whether it existed.
    public func deleteDefinition(_ kind: DefinitionKind, name: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "DELETE FROM definitions WHERE kind = ? AND name = ?",
                arguments: [kind.rawValue, name]
            )
            return db.changesCount > 0
        }
    }

    // MARK: - Router

    /// The sequence number the consumer `name` has processed up to (0 at first).
    public func cursor(_ name: String) async throws -> Int64 {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT seq FROM cursors WHERE name = ?", arguments: [name]) ?? 0
        }
    }

    /// Records deliveries and moves the cursor, in one transaction.
    ///
    /// A (event, rule, target) that already exists is kept as it is, so replaying after a crash
    /// creates no duplicates.
    ///
    /// - Returns: Each delivery's new id (`nil` for one kept as it was), and the time the rows are
    ///   dated with, for the router's `tocsin.delivery.routed` event.
    @discardableResult
    public func recordRoutes(
        _ deliveries: [NewDelivery],
        cursor name: String,
        to sequence: Int64
    ) async throws -> (ids: [Int64?], routedMilliseconds: Int64) {
        let now = clock.milliseconds
        let ids = try await pool.write { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT OR IGNORE INTO deliveries (event_seq, rule, target, input, state, routed_ms, next_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """
            )
            var ids: [Int64?] = []
            ids.reserveCapacity(deliveries.count)
            for delivery in deliveries {
                let input = delivery.input.map { JSONWriter().string(.object(JSONObject([$0.jsonMember]))) }
                let state: DeliveryState = delivery.dryRun ? .dryRun : .pending
                try statement.execute(
                    arguments: [
                        delivery.eventSequence, delivery.rule, delivery.target, input, state.rawValue, now, now,
                    ]
                )
                ids.append(db.changesCount > 0 ? db.lastInsertedRowID : nil)
            }
            try db.execute(
                sql: "INSERT INTO cursors (name, seq) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET seq = excluded.seq",
                arguments: [name, sequence]
            )
            return ids
        }
        return (ids, now)
    }
}
