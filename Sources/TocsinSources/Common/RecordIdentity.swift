// SPDX-License-Identifier: Apache-2.0

import Crypto
import TocsinCore

/// Ids for records that carry none of their own: the first 32 hex digits of SHA-256 over the
/// record's bytes, so the same record ingested twice gets the same id.
enum RecordIdentity {
    static func digest(_ bytes: [UInt8]) -> String {
        id(SHA256.hash(data: bytes))
    }

    /// The first 32 hex digits of `digest` (its first 16 bytes).
    static func id(_ digest: SHA256.Digest) -> String {
        digest.withUnsafeBytes { Hex.encode(UnsafeRawBufferPointer(rebasing: $0.prefix(16))) }
    }
}

/// What every JSON normaliser is given: the record and its bytes as they will be stored as `data`.
struct JSONRecord {
    let fields: RecordFields
    let bytes: [UInt8]
    /// The collector's clock: the OCSF `time` of a record that carries none.
    let received: Timestamp

    /// The event with the conventions every format shares: JSON data, the native bytes unchanged.
    ///
    /// A record without an id gets the digest of its bytes; one without a time gives an event
    /// without `time` (CloudEvents allows it). The values are fitted to the attribute rules when
    /// the entry is checked (``AttributeFitting``).
    func event(id: String?, source: String, type: String, subject: String?, time: Timestamp?) -> CloudEvent {
        CloudEvent(
            id: id.flatMap { $0.isEmpty ? nil : $0 } ?? RecordIdentity.digest(bytes),
            source: source,
            type: type,
            dataContentType: "application/json",
            subject: subject,
            time: time,
            data: .json(bytes)
        )
    }
}
