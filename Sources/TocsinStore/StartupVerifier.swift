// SPDX-License-Identifier: Apache-2.0

import Crypto
import Foundation
import GRDB
import TocsinCore

/// Verifies the log before the writer extends it, so the server never signs over a tampered tail.
///
/// Start-up must stay fast on a large log, so it trusts what the last signed checkpoint covers
/// (the full walk is `tocsin audit verify`) and checks:
/// - the last checkpoint's signature, and that the record it names still has that hash;
/// - every record after it: content, hash and link, in sequence order;
/// - with a witness, that the log still holds the witness's last checkpoint unchanged (deleting
///   records together with their checkpoints would otherwise leave an older, valid checkpoint).
enum StartupVerifier {
    /// The verified head of the log.
    ///
    /// - Throws: ``StoreError`` with code ``StoreError/Code/verificationFailed`` naming the first
    ///   sequence number that does not verify and why.
    static func verifiedHead(
        _ db: Database,
        publicKey: Curve25519.Signing.PublicKey,
        witnessed: CheckpointWitness.Entry?
    ) throws -> LogWriter.Head {
        let last = try Int64.fetchOne(db, sql: "SELECT max(seq) FROM events") ?? 0
        if let witnessed, let failure = try check(witnessed, head: last, db: db) {
            throw refusal(failure)
        }
        var previous = HashChain.genesis
        var checkpointSequence: Int64 = 0
        if let checkpoint = try Row.fetchOne(
            db,
            sql: "SELECT seq, hash, signature FROM checkpoints ORDER BY seq DESC LIMIT 1"
        ) {
            checkpointSequence = checkpoint["seq"]
            let hash = Array(checkpoint["hash"] as Data)
            let signature = Array(checkpoint["signature"] as Data)
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT \(LogRecord.columns) FROM events WHERE seq = ?",
                    arguments: [checkpointSequence]
                )
            else {
                throw refusal(
                    AuditVerifier.Failure(
                        sequence: checkpointSequence,
                        reason: last < checkpointSequence ? .truncated : .deleted,
                        message:
                            "the last signed checkpoint covers record \(checkpointSequence), which is not in the log"
                    )
                )
            }
            let record = LogRecord(row: row)
            if let failure = ChainCheck.checkpoint(hash: hash, signature: signature, at: record, publicKey: publicKey)
                ?? ChainCheck.content(of: record)
            {
                throw refusal(failure)
            }
            previous = record.hash
        }
        var expected = checkpointSequence + 1
        var announcementSequence: Int64 = 0
        let rows = try Row.fetchCursor(
            db,
            sql: "SELECT \(LogRecord.columns) FROM events WHERE seq > ? ORDER BY seq",
            arguments: [checkpointSequence]
        )
        while let row = try rows.next() {
            let record = LogRecord(row: row)
            if let failure = try ChainCheck.record(record, expected: expected, previous: previous, db: db) {
                throw refusal(failure)
            }
            previous = record.hash
            announcementSequence =
                record.type == CheckpointAnnouncement.type && expected == checkpointSequence + 1 ? expected : 0
            expected += 1
        }
        return LogWriter.Head(
            sequence: expected - 1,
            hash: previous,
            checkpointSequence: checkpointSequence,
            announcementSequence: announcementSequence
        )
    }

    /// Checks that the log holds the witness's checkpoint unchanged.
    private static func check(
        _ witnessed: CheckpointWitness.Entry,
        head: Int64,
        db: Database
    ) throws -> AuditVerifier.Failure? {
        let row = try Row.fetchOne(
            db,
            sql: "SELECT hash, signature FROM checkpoints WHERE seq = ?",
            arguments: [witnessed.sequence]
        )
        return AuditVerifier.compare(
            witnessed,
            line: nil,
            logged: row.map { (Array($0["hash"] as Data), Array($0["signature"] as Data)) },
            head: head
        )
    }

    private static func refusal(_ failure: AuditVerifier.Failure) -> StoreError {
        StoreError(
            code: .verificationFailed,
            message: """
                the log does not verify at \(failure); Tocsin will not sign over it and refuses to start. \
                Run 'tocsin audit verify' for the full report, keep a copy of the data directory as evidence, \
                then restore it from a backup
                """,
            sequence: failure.sequence
        )
    }
}
