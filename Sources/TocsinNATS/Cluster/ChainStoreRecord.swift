// SPDX-License-Identifier: Apache-2.0

#if NATS
public import TocsinCluster

/// A ``ChainRecord`` as the chain store keeps it: with the signature of its checkpoint and the public
/// key that made it, so any node can verify the checkpoint without the signer's data directory.
///
/// Wire encoding (one stream message, big-endian integers, 32-byte hashes):
/// `tocsin.chain.v1` · first sequence (8) · previous hash · hash count (4) · the hashes ·
/// last checkpoint sequence (8) · last checkpoint milliseconds (8) · checkpoint flag (1), and when
/// the flag is 1: checkpoint sequence (8) · checkpoint hash · signed milliseconds (8) · signer's
/// Ed25519 public key (32) · signature (64). A full record of 4,096 hashes is about 128 KiB.
public struct ChainStoreRecord: Sendable, Hashable {
    /// The record.
    public var record: ChainRecord
    /// The Ed25519 signature of the checkpoint's message (empty without a checkpoint).
    public var signature: [UInt8]
    /// The signer's raw Ed25519 public key (empty without a checkpoint).
    public var signer: [UInt8]

    /// Creates a stored record.
    public init(record: ChainRecord, signature: [UInt8] = [], signer: [UInt8] = []) {
        self.record = record
        self.signature = signature
        self.signer = signer
    }

    private static let magic = Array("tocsin.chain.v1".utf8)

    /// The message payload.
    public var bytes: [UInt8] {
        var out = Self.magic
        out.reserveCapacity(128 + 32 * record.hashes.count)
        append(record.firstSequence, to: &out)
        out += record.previousHash
        append(UInt32(record.hashes.count), to: &out)
        for hash in record.hashes {
            out += hash
        }
        append(record.lastCheckpointSequence, to: &out)
        append(record.lastCheckpointMilliseconds, to: &out)
        guard let checkpoint = record.checkpoint else {
            out.append(0)
            return out
        }
        out.append(1)
        append(checkpoint.sequence, to: &out)
        out += checkpoint.hash
        append(checkpoint.signedMilliseconds, to: &out)
        out += signer
        out += signature
        return out
    }

    /// The stream sequences a record may name: 0 (none yet) to 2⁶², far from overflow.
    static let sequences: ClosedRange<Int64> = 0...(1 << 62)
    /// The times a record may carry: the Unix epoch to the end of year 9999, in milliseconds.
    static let milliseconds: ClosedRange<Int64> = 0...253_402_300_799_999

    /// Decodes a message payload; `nil` when it is not a well-formed chain record (including one
    /// whose sequences or times are out of range).
    public init?(bytes: [UInt8]) {
        var reader = ByteReader(bytes: bytes)
        guard reader.take(Self.magic.count) == Self.magic, let first = reader.integer(Int64.self),
            let previous = reader.take(32), let count = reader.integer(UInt32.self), count <= 1 << 20
        else {
            return nil
        }
        var hashes: [[UInt8]] = []
        hashes.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let hash = reader.take(32) else {
                return nil
            }
            hashes.append(hash)
        }
        guard let lastCheckpoint = reader.integer(Int64.self), let lastMilliseconds = reader.integer(Int64.self),
            let flag = reader.take(1)?.first
        else {
            return nil
        }
        var checkpoint: ChainCheckpoint?
        var signer: [UInt8] = []
        var signature: [UInt8] = []
        if flag == 1 {
            guard let sequence = reader.integer(Int64.self), let hash = reader.take(32),
                let signed = reader.integer(Int64.self), let key = reader.take(32), let made = reader.take(64)
            else {
                return nil
            }
            checkpoint = ChainCheckpoint(sequence: sequence, hash: hash, signedMilliseconds: signed)
            signer = key
            signature = made
        }
        // Anyone who can publish to the chain store can write these: keep every sequence and time in
        // a range where the chainer's and verifier's arithmetic cannot overflow.
        guard reader.isAtEnd, flag <= 1, Self.sequences.contains(first), Self.sequences.contains(lastCheckpoint),
            Self.milliseconds.contains(lastMilliseconds),
            checkpoint.map({ Self.sequences.contains($0.sequence) && Self.milliseconds.contains($0.signedMilliseconds) }
            )
                ?? true
        else {
            return nil
        }
        self.init(
            record: ChainRecord(
                firstSequence: first,
                previousHash: previous,
                hashes: hashes,
                checkpoint: checkpoint,
                lastCheckpointSequence: lastCheckpoint,
                lastCheckpointMilliseconds: lastMilliseconds
            ),
            signature: signature,
            signer: signer
        )
    }
}

private func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
    withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
}

/// Reads big-endian integers and byte runs off a payload.
struct ByteReader {
    let bytes: [UInt8]
    var offset = 0

    var isAtEnd: Bool { offset == bytes.count }

    mutating func take(_ count: Int) -> [UInt8]? {
        guard count >= 0, bytes.count - offset >= count else {
            return nil
        }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func integer<T: FixedWidthInteger>(_: T.Type) -> T? {
        take(MemoryLayout<T>.size).map { $0.reduce(T(0)) { $0 << 8 | T($1) } }
    }
}
#endif
