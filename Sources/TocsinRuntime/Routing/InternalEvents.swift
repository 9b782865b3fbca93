// SPDX-License-Identifier: Apache-2.0

import Foundation
import TocsinCore

/// The events Tocsin appends about itself (`tocsin.*`), so that everything it does is in the log.
///
/// Ids are derived from what happened (delivery and attempt, definition and version) where a replay
/// could repeat the append; the log's `source`+`id` deduplication then keeps one copy.
enum InternalEvents {
    static func make(
        type: String,
        source: String,
        id: String? = nil,
        subject: String? = nil,
        data: [(String, JSONValue)]
    ) -> CloudEvent {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let document = JSONValue.object(JSONObject(data.map { JSONObject.Member(name: $0.0, value: $0.1) }))
        return CloudEvent(
            id: id ?? UUID().uuidString.lowercased(),
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
