// SPDX-License-Identifier: Apache-2.0

import TocsinCore
import TocsinStore

/// The JSON the replay API answers with: a replay's request, range, progress and, once
/// completed, its report.
enum ReplayStatus {
    /// `{"id", "status", "actor", "request", "range", "progress", "restarts", "created", "updated",
    /// "completed", "error", "report"}`; `report` only when asked for and present.
    static func json(_ record: ReplayRecord, includingReport: Bool = true) -> JSONValue {
        let parser = JSONParser()
        let request = (try? parser.parse(Array(record.request.utf8))) ?? .null
        let time = { (milliseconds: Int64?) -> JSONValue in
            milliseconds.map { .string(Timestamp(epochMilliseconds: $0).text) } ?? .null
        }
        let total = record.total
        let processed = record.status == .completed ? total : record.processed
        var members: [(String, JSONValue)] = [
            ("id", .number(JSONNumber(record.id))),
            ("status", .string(record.status.rawValue)),
            ("actor", .string(record.actor)),
            ("request", request),
            (
                "range",
                ShadowReport.object([
                    ("first_seq", .number(JSONNumber(record.firstSequence))),
                    ("last_seq", .number(JSONNumber(record.lastSequence))),
                    ("events", .number(JSONNumber(total))),
                ])
            ),
            (
                "progress",
                ShadowReport.object([
                    ("processed", .number(JSONNumber(processed))),
                    ("cursor", .number(JSONNumber(record.status == .completed ? record.lastSequence : record.cursor))),
                    ("percent", .number(JSONNumber(total == 0 ? 100 : processed * 100 / total))),
                ])
            ),
            ("restarts", .number(JSONNumber(Int64(record.restarts)))),
            ("created", time(record.createdMilliseconds)),
            ("updated", time(record.updatedMilliseconds)),
            ("completed", time(record.completedMilliseconds)),
            ("error", record.error.map(JSONValue.string) ?? .null),
        ]
        if includingReport {
            members.append(("report", record.report.flatMap { try? parser.parse(Array($0.utf8)) } ?? .null))
        }
        return ShadowReport.object(members)
    }
}
