// SPDX-License-Identifier: Apache-2.0

/// The index and chain facts at the end of an archive file, as JSON.
///
/// It names the range of sequence numbers the file holds, the chain hash before its first record
/// and after its last, the signed checkpoints inside the range (the last one covers the last
/// record), and where each compressed block lies. The records themselves are the proof: a
/// verifier recomputes every hash and checks every signature; the manifest only says where to look.
public struct ArchiveManifest: Codable, Sendable, Hashable {
    /// A signed checkpoint, as the `checkpoints` table holds it.
    public struct Checkpoint: Codable, Sendable, Hashable {
        /// The sequence number it signs.
        public var sequence: Int64
        /// The chain hash there, hex.
        public var hash: String
        /// The node's Ed25519 signature of ``HashChain/checkpointMessage(sequence:hash:)``, hex.
        public var signature: String
        /// When it was signed, in Unix milliseconds.
        public var signedMilliseconds: Int64
    }

    /// One compressed block of records.
    public struct Block: Codable, Sendable, Hashable {
        /// The first record's sequence number.
        public var firstSequence: Int64
        /// The last record's sequence number.
        public var lastSequence: Int64
        /// The block's byte offset in the file.
        public var offset: Int64
        /// The compressed length in bytes.
        public var length: Int
        /// The decompressed length in bytes.
        public var rawLength: Int
    }

    /// The format's name and version.
    public var format = ArchiveManifest.currentFormat
    /// The first record's sequence number.
    public var firstSequence: Int64
    /// The last record's sequence number.
    public var lastSequence: Int64
    /// The chain hash before the first record (the previous archive's or the genesis), hex.
    public var previousHash: String
    /// The chain hash of the last record, hex.
    public var lastHash: String
    /// The signed checkpoints within the range, in order; the last one is at ``lastSequence``.
    public var checkpoints: [Checkpoint]
    /// The blocks, in order.
    public var blocks: [Block]
    /// When the archive was written, in Unix milliseconds.
    public var createdMilliseconds: Int64

    /// The format this version writes and reads.
    public static let currentFormat = "tocsin.archive.v1"

    /// How many records the file holds.
    public var records: Int64 {
        lastSequence - firstSequence + 1
    }

    /// The file name an archive of this range gets: `archive-<first>-<last>.tocsin-archive`, with
    /// zero-padded numbers so names sort in chain order.
    public var fileName: String {
        ArchiveManifest.fileName(first: firstSequence, last: lastSequence)
    }

    /// The file name of an archive of `first...last`.
    static func fileName(first: Int64, last: Int64) -> String {
        "archive-\(padded(first))-\(padded(last))\(ArchiveManifest.fileExtension)"
    }

    /// The archive files' name extension.
    public static let fileExtension = ".tocsin-archive"

    private static func padded(_ value: Int64) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, 20 - text.count)) + text
    }
}
