// SPDX-License-Identifier: Apache-2.0

import Crypto
import Foundation
import GRDB
import TocsinCore

/// The checks of one record and one checkpoint that the offline audit and the start-up
/// verification share, so both judge the chain by the same rules.
enum ChainCheck {
    /// Checks that `record` stands at `expected`, that its content matches its hash, and that it
    /// follows the record whose hash is `previous`.
    static func record(
        _ record: LogRecord,
        expected: Int64,
        previous: [UInt8],
        db: Database
    ) throws -> AuditVerifier.Failure? {
        if record.sequence != expected {
            return AuditVerifier.Failure(
                sequence: expected,
                reason: .deleted,
                message: "record \(expected) is missing; the next record present is \(record.sequence)"
            )
        }
        if let failure = content(of: record) {
            return failure
        }
        guard record.previousHash == previous else {
            // Only on failure: a scan of the whole table tells a move from a removal.
            let holder = try Int64.fetchOne(
                db,
                sql: "SELECT seq FROM events WHERE hash = ?",
                arguments: [Data(record.previousHash)]
            )
            if let holder {
                return AuditVerifier.Failure(
                    sequence: record.sequence,
                    reason: .reordered,
                    message: "the record is intact but follows record \(holder), not record \(record.sequence - 1)"
                )
            }
            return AuditVerifier.Failure(
                sequence: record.sequence,
                reason: .deleted,
                message: "the record does not follow record \(record.sequence - 1); a record before it was removed"
            )
        }
        return nil
    }

    /// Checks that a record's content and indexed columns match its stored chain hash.
    static func content(of record: LogRecord) -> AuditVerifier.Failure? {
        guard record.recomputedHash == record.hash, record.columnsMatchAttributes() else {
            return AuditVerifier.Failure(
                sequence: record.sequence,
                reason: .altered,
                message: "the record's content does not match its chain hash"
            )
        }
        return nil
    }

    /// Checks a checkpoint's signature with `publicKey` and that it names `record`'s hash.
    static func checkpoint(
        hash: [UInt8],
        signature: [UInt8],
        at record: LogRecord,
        publicKey: Curve25519.Signing.PublicKey
    ) -> AuditVerifier.Failure? {
        let message = HashChain.checkpointMessage(sequence: record.sequence, hash: hash)
        guard publicKey.isValidSignature(signature, for: message) else {
            return AuditVerifier.Failure(
                sequence: record.sequence,
                reason: .badSignature,
                message: "the checkpoint signature does not verify with the node's public key"
            )
        }
        guard hash == record.hash else {
            return AuditVerifier.Failure(
                sequence: record.sequence,
                reason: .checkpointMismatch,
                message: "the signed checkpoint names a different chain hash than the log has here"
            )
        }
        return nil
    }
}
