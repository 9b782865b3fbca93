// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// The `tocsin.checkpoint.signed` event the writer appends right after each checkpoint it signs, so
/// that any rule can send checkpoints to a target (an external witness, a ticket, a chat channel).
///
/// Its `data` is the witness line's JSON: `{"seq","hash","signature","signed_at"}`. The event
/// itself lies after the checkpoint it announces; the writer never signs a checkpoint only to
/// cover an announcement, so an idle log does not announce forever.
enum CheckpointAnnouncement {
    /// The announcement's CloudEvents `type`.
    static let type = "tocsin.checkpoint.signed"
    /// The announcement's CloudEvents `source`.
    static let source = "/tocsin/log"

    /// The record announcing `entry`, ready to be linked into the chain.
    static func record(for entry: CheckpointWitness.Entry, identifiers: EventIdentifiers) -> LogRecord {
        let data = JSONValue.object(
            JSONObject([
                .init(name: "seq", value: .number(JSONNumber(entry.sequence))),
                .init(name: "hash", value: .string(Hex.encode(entry.hash))),
                .init(name: "signature", value: .string(Hex.encode(entry.signature))),
                .init(
                    name: "signed_at",
                    value: .string(Timestamp(epochMilliseconds: entry.signedMilliseconds).text)
                ),
            ])
        )
        let event = CloudEvent(
            id: identifiers.derived("checkpoint", ["\(entry.sequence)"]),
            source: source,
            type: type,
            dataContentType: "application/json",
            subject: "\(entry.sequence)",
            time: Timestamp(epochMilliseconds: entry.signedMilliseconds),
            data: .json(JSONWriter().bytes(data))
        )
        return LogRecord(entry: LogEntry(event: event), ingestMilliseconds: entry.signedMilliseconds)
    }
}
