// SPDX-License-Identifier: Apache-2.0

import TocsinCore
import TocsinStore

/// The events Tocsin appends about itself (`tocsin.*`), so that everything it does is in the log.
///
/// Ids are derived from what happened (delivery and attempt; event, rule and target) where a replay
/// could repeat the append, so the log's `source`+`id` deduplication keeps one copy. They are
/// derived with ``EventIdentifiers`` (an HMAC keyed with this node's secret), never from the bare
/// inputs, so no outsider can predict an id and publish it first. Every other id is random.
enum InternalEvents {
    /// An event dated `time` (milliseconds since the epoch).
    ///
    /// Callers pass the time from their injected clock; the system clock is read only for callers
    /// that do not yet have one.
    static func make(
        type: String,
        source: String,
        id: String? = nil,
        subject: String? = nil,
        time: Int64? = nil,
        data: [(String, JSONValue)]
    ) -> CloudEvent {
        let now = time ?? SystemWallClock().milliseconds
        let document = JSONValue.object(JSONObject(data.map { JSONObject.Member(name: $0.0, value: $0.1) }))
        return CloudEvent(
            id: id ?? EventIdentifiers.random(),
            source: source,
            type: type,
            dataContentType: "application/json",
            subject: subject,
            time: Timestamp(epochMilliseconds: now),
            data: .json(JSONWriter().bytes(document))
        )
    }

    static func number(_ value: Int64) -> JSONValue {
        .number(JSONNumber(value))
    }
}
