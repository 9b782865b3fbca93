// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
import TocsinBundles
import TocsinCore
import TocsinResponse

/// How the exporter finds a bundle's records: the alert, the rule as it was when the alert was
/// raised, and the delivery events of the actions taken.
///
/// The indexed columns only point at candidates; the verifier checks every claim against the hashed
/// bytes.
enum BundleQueries {
    /// The alert's sequence number and the alert, from its id (`alert-…`) or sequence number.
    static func alert(_ identifier: String, chain: DatabaseChain, db: Database) throws -> (Int64, Alert) {
        let sequence: Int64?
        if let number = Int64(identifier), number > 0 {
            sequence = number
        } else {
            sequence = try Int64.fetchOne(
                db,
                sql: "SELECT seq FROM events WHERE source = ? AND id = ?",
                arguments: [Alert.eventSource, identifier]
            )
        }
        guard let sequence, let record = try chain.record(sequence), record.type == Alert.eventType else {
            throw BundleError(
                code: .notFound,
                message: "the log has no alert \(identifier); list alerts with 'tocsin alerts' "
                    + "(an alert is named by its id, alert-…, or its event's sequence number)"
            )
        }
        do {
            return (sequence, try Alert(event: try record.loggedEvent().event))
        } catch {
            throw BundleError(
                code: .logDoesNotVerify,
                message: "record \(sequence) is not a readable alert; run 'tocsin audit verify'",
                sequence: sequence
            )
        }
    }

    /// The rule section: the last record before `alert` that defined the rule through the API or
    /// loaded it from the rules directory.
    ///
    /// A `tocsin.rule.loaded` record holds the text of a rules-directory rule; logs written before
    /// those records existed have only the names in `tocsin.config.reloaded`, and the section then
    /// has no text.
    static func rule(_ name: String, before alert: Int64, chain: DatabaseChain, db: Database) throws -> ProofBundle.Rule
    {
        let defined = try Int64.fetchOne(
            db,
            sql: """
                SELECT max(seq) FROM events
                WHERE type IN ('tocsin.rule.created', 'tocsin.rule.updated', 'tocsin.rule.loaded')
                AND subject = ? AND seq < ?
                """,
            arguments: [name, alert]
        )
        if let defined, let record = try chain.record(defined), record.type == "tocsin.rule.loaded" {
            return try definitionSection(name, record: record, sequence: defined)
        }
        let reloads = try Row.fetchCursor(
            db,
            sql:
                "SELECT seq, data FROM events WHERE type = 'tocsin.config.reloaded' AND seq > ? AND seq < ? ORDER BY seq DESC",
            arguments: [defined ?? 0, alert]
        )
        while let row = try reloads.next() {
            let data = try? JSONParser().parse(Array(row["data"] as Data))
            let lists = [data?["rules"], data?["sigma_rules"]].compactMap { $0 }
            if lists.contains(where: { list in
                if case .array(let names) = list { names.contains(.string(name)) } else { false }
            }) {
                return ProofBundle.Rule(name: name, sequence: row["seq"], text: nil, sha256: nil)
            }
        }
        guard let defined, let record = try chain.record(defined) else {
            return ProofBundle.Rule(name: name, sequence: nil, text: nil, sha256: nil)
        }
        return try definitionSection(name, record: record, sequence: defined)
    }

    private static func definitionSection(
        _ name: String,
        record: LogRecord,
        sequence: Int64
    ) throws
        -> ProofBundle.Rule
    {
        guard let definition = try? record.loggedEvent().event.data.flatMap(Self.json)?["definition"] else {
            return ProofBundle.Rule(name: name, sequence: nil, text: nil, sha256: nil)
        }
        return ProofBundle.Rule(name: name, sequence: sequence, definition: ProofBundle.Rule.text(of: definition))
    }

    /// The delivery events (`tocsin.delivery.*`, dry runs included) that name record `subject`, in log order.
    static func actions(for subject: Int64, db: Database) throws -> [Int64] {
        try Int64.fetchAll(
            db,
            sql: """
                SELECT seq FROM events
                WHERE source IN ('/tocsin/delivery', '/tocsin/router') AND seq > ? AND type GLOB 'tocsin.delivery.*'
                AND CASE WHEN json_valid(CAST(data AS TEXT)) THEN json_extract(CAST(data AS TEXT), '$.event') END = ?
                ORDER BY seq
                """,
            arguments: [subject, subject]
        )
    }

    private static func json(_ data: CloudEventData) -> JSONValue? {
        guard case .json(let bytes) = data else {
            return nil
        }
        return try? JSONParser().parse(bytes)
    }
}
