// SPDX-License-Identifier: Apache-2.0

/// A log record exactly as it was chained: what `tocsin migrate` reads from one log and copies into
/// another.
public struct ChainedRecord: Sendable, Hashable {
    /// The sequence number (it becomes the stream sequence in a migration).
    public var sequence: Int64
    /// The event's `source`.
    public var source: String
    /// The event's `id`.
    public var id: String
    /// The event's `type`.
    public var type: String
    /// The canonical record bytes the chain digests
    /// (``HashChain/canonicalBytes(attributes:dataKind:data:ingestMilliseconds:ocsf:enrichment:)``).
    public var canonical: [UInt8]
    /// The chain hash at this record.
    public var hash: [UInt8]

    /// Creates a record.
    public init(sequence: Int64, source: String, id: String, type: String, canonical: [UInt8], hash: [UInt8]) {
        self.sequence = sequence
        self.source = source
        self.id = id
        self.type = type
        self.canonical = canonical
        self.hash = hash
    }
}
