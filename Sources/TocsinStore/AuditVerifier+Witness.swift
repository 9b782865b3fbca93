// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB

extension AuditVerifier {
    /// Compares every checkpoint of the witness file with the log; the failure with the lowest
    /// sequence number, the chain's included, is the one reported.
    func compare(_ lines: [CheckpointWitness.Line], into report: inout Report, db: Database) throws {
        let head = try Int64.fetchOne(db, sql: "SELECT max(seq) FROM events") ?? 0
        var logged: [Int64: (hash: [UInt8], signature: [UInt8])] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT seq, hash, signature FROM checkpoints") {
            logged[row["seq"]] = (Array(row["hash"] as Data), Array(row["signature"] as Data))
        }
        var matched = 0
        var first: Failure?
        for line in lines {
            let entry = line.entry
            guard let failure = Self.compare(entry, line: line.number, logged: logged[entry.sequence], head: head)
            else {
                matched += 1
                continue
            }
            if first.map({ failure.sequence < $0.sequence }) ?? true {
                first = failure
            }
        }
        report.witnessedCheckpoints = matched
        if let first, report.failure.map({ first.sequence < $0.sequence }) ?? true {
            report.failure = first
        }
    }

    /// Compares one witnessed checkpoint with the log's checkpoint at the same sequence number
    /// (`nil` when the log has none) and the log's last sequence number `head`.
    static func compare(
        _ entry: CheckpointWitness.Entry,
        line: Int?,
        logged: (hash: [UInt8], signature: [UInt8])?,
        head: Int64
    ) -> Failure? {
        let origin = line.map { "the witness (line \($0))" } ?? "the witness's last line"
        if entry.sequence > head {
            return Failure(
                sequence: entry.sequence,
                reason: .truncated,
                message:
                    "\(origin) holds a signed checkpoint at \(entry.sequence) but the log ends at \(head): records were cut off"
            )
        }
        guard let logged else {
            return Failure(
                sequence: entry.sequence,
                reason: .witnessMissing,
                message: "\(origin) holds a signed checkpoint at \(entry.sequence) that the log no longer has"
            )
        }
        guard logged.hash == entry.hash, logged.signature == entry.signature else {
            return Failure(
                sequence: entry.sequence,
                reason: .witnessMismatch,
                message:
                    "the log's checkpoint at \(entry.sequence) differs from the one \(origin) holds (\(logged.hash == entry.hash ? "signature" : "hash"))"
            )
        }
        return nil
    }
}
