// SPDX-License-Identifier: Apache-2.0

import GRDB
import TocsinCore

/// A read model folded from the log: the tables it owns, the event types it reads, and how one
/// event changes those tables.
///
/// ``apply(_:to:)`` writes by the tables' plain names, so the same fold runs against the live
/// database (following the log) and against a scratch database (a rebuild, ``ProjectionRebuilder``).
/// Adding a projection is one conforming type and one entry in ``ProjectionRegistry/all``; the
/// ``ProjectionFollower`` back-fills it from the whole log on its first start.
protocol Projection: Sendable {
    /// The name operators use (`tocsin rebuild --projection NAME`).
    var name: String { get }
    /// The exact event types it folds; every other event leaves its tables unchanged.
    var eventTypes: [String] { get }
    /// The tables it owns, each compared and swapped whole.
    var tables: [String] { get }
    /// The name of its cursor in the `cursors` table.
    var cursorName: String { get }
    /// Whether the generic follower applies new events to the live tables (`false` when a service
    /// of its own already follows the log by ``cursorName``).
    var isFollowedGenerically: Bool { get }

    /// The event types the follower applies to the live tables (by default ``eventTypes``); the
    /// cursor moves over the others.
    var followedEventTypes: [String] { get }

    /// Applies one event, in log order, to the tables in `db`.
    ///
    /// Applying an event the tables already reflect again must leave them as they are, because the
    /// command side writes its row before it appends the event.
    func apply(_ logged: LoggedEvent, to db: Database) throws

    /// A SQL condition per table that selects the rows it owns, when it shares the table (the rule
    /// rows of `definitions`); a rebuild replaces only those, and a comparison looks only at those.
    var ownedRows: [String: String] { get }

    /// A SQL condition per table that selects the rows that matter at `nowMilliseconds` (the
    /// blocklist's unexpired entries), for comparisons; tables without one compare every row.
    func comparedRows(nowMilliseconds: Int64) -> [String: String]

    /// Events to append before the first back-fill, for rows written before the log recorded them.
    func unloggedRows(_ db: Database, identifiers: EventIdentifiers) throws -> [CloudEvent]

    /// The column per table that ``ProjectionComparison/Table/differingKeys`` shows (by default the
    /// table's first column).
    var keyColumns: [String: String] { get }

    /// Checks the rebuilt tables (attached to `db` as `rebuild`) before a rebuild swaps them in or
    /// a check compares them; throws to refuse both.
    func checkRebuilt(_ db: Database, sealer: DefinitionSealer) throws
}

extension Projection {
    var cursorName: String { "projection.\(name)" }

    var isFollowedGenerically: Bool { true }

    var followedEventTypes: [String] { eventTypes }

    var ownedRows: [String: String] { [:] }

    func comparedRows(nowMilliseconds: Int64) -> [String: String] { [:] }

    func unloggedRows(_ db: Database, identifiers: EventIdentifiers) throws -> [CloudEvent] { [] }

    var keyColumns: [String: String] { [:] }

    func checkRebuilt(_ db: Database, sealer: DefinitionSealer) throws {}
}

/// Every projection, in one compile-time list.
enum ProjectionRegistry {
    static let all: [any Projection] = [
        IncidentsProjection(),
        IdentitiesProjection(),
        BlocklistProjection(),
        RuleDefinitionsProjection(),
        DeliveriesProjection(),
        TargetDefinitionsProjection(),
    ]

    /// The projection named `name`, if any.
    static func projection(named name: String) -> (any Projection)? {
        all.first { $0.name == name }
    }
}
