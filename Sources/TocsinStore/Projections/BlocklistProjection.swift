// SPDX-License-Identifier: Apache-2.0

import GRDB
import TocsinCore
import TocsinResponse

/// The IP blocklist, folded from the `tocsin.delivery.succeeded` events of blocklist targets,
/// whose `action` member is the entry the action added.
///
/// The action first drops the entries expired at its time and then adds or extends its entry
/// (``upsertSQL``), and the fold does the same, so the
/// entries in force at any time are the live ones. Expired rows the live table has not yet dropped
/// do not count: comparisons look at the entries unexpired at one time (``comparedRows(nowMilliseconds:)``).
struct BlocklistProjection: Projection {
    let name = "blocklist"
    let eventTypes = ["tocsin.delivery.succeeded"]
    let tables = ["blocklist"]

    func apply(_ logged: LoggedEvent, to db: Database) throws {
        guard let entry = Self.entry(logged.event) else {
            return
        }
        try db.execute(sql: "DELETE FROM blocklist WHERE expires_ms <= ?", arguments: [entry.addedMilliseconds])
        try db.execute(
            sql: Self.upsertSQL,
            arguments: [
                entry.entry, entry.expiresMilliseconds, entry.addedMilliseconds, entry.rule, entry.eventSequence,
            ]
        )
    }

    /// Adds an entry, or extends the one in force: the earliest addition, the latest expiry, and the
    /// rule and event of the addition that expires last (the higher event on a tie).
    ///
    /// The same statement writes the live table (``RoutingStore/block(_:)``). Each column is a
    /// maximum or minimum, so two blocks of one address that finish in one order and reach the log
    /// in the other still give the same row.
    static let upsertSQL = """
        INSERT INTO blocklist (entry, expires_ms, added_ms, rule, event_seq) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT(entry) DO UPDATE SET
            rule = CASE WHEN \(wins) THEN excluded.rule ELSE rule END,
            event_seq = CASE WHEN \(wins) THEN excluded.event_seq ELSE event_seq END,
            added_ms = MIN(added_ms, excluded.added_ms),
            expires_ms = MAX(expires_ms, excluded.expires_ms)
        """

    private static let wins =
        "excluded.expires_ms > expires_ms OR (excluded.expires_ms = expires_ms AND excluded.event_seq > event_seq)"

    func comparedRows(nowMilliseconds: Int64) -> [String: String] {
        ["blocklist": "expires_ms > \(nowMilliseconds)"]
    }

    /// The entry a delivery event's blocklist action added, or `nil` when the event is not one (pure).
    static func entry(_ event: CloudEvent) -> BlocklistEntry? {
        guard case .json(let bytes)? = event.data, let data = try? JSONParser().parse(bytes),
            let action = data["action"], let entry = action["entry"]?.stringValue,
            let family = action["family"]?.stringValue, family == "ipv4" || family == "ipv6",
            let added = milliseconds(action["added_at"]), let expires = milliseconds(action["expires_at"]),
            let rule = action["rule"]?.stringValue,
            case .number(let sequence)? = action["event"], let eventSequence = Int64(sequence.text)
        else {
            return nil
        }
        return BlocklistEntry(
            entry: entry,
            isV6: family == "ipv6",
            addedMilliseconds: added,
            expiresMilliseconds: expires,
            rule: rule,
            eventSequence: eventSequence
        )
    }

    private static func milliseconds(_ value: JSONValue?) -> Int64? {
        value?.stringValue.flatMap { Timestamp(rfc3339: $0) }?.epochMilliseconds
    }
}
