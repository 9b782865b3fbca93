// SPDX-License-Identifier: Apache-2.0

import Crypto

/// The hash-chain arithmetic of the log: canonical record bytes, links and checkpoint messages.
///
/// `hash(n) = SHA-256(hash(n-1) ‖ SHA-256(canonical(n)))`, with 32 zero bytes before the first
/// record. The canonical bytes are length-prefixed so no two distinct records encode the same way.
/// Hashing the record first lets producers compute the expensive digest in parallel; the single
/// writer only links 64 bytes per record.
public enum HashChain: Sendable {
    /// The hash that precedes the first record.
    public static let genesis = [UInt8](repeating: 0, count: 32)

    /// Data kinds as stored: none, JSON text, text, raw bytes.
    public static func dataKind(_ data: CloudEventData?) -> UInt8 {
        switch data {
        case nil: return 0
        case .json: return 1
        case .text: return 2
        case .binary: return 3
        }
    }

    /// The bytes of `data` as stored.
    public static func dataBytes(_ data: CloudEventData?) -> [UInt8] {
        switch data {
        case nil: return []
        case .json(let bytes), .binary(let bytes): return bytes
        case .text(let text): return Array(text.utf8)
        }
    }

    /// The canonical bytes of a record: a version tag, then ingest time, attributes and data, each
    /// length-prefixed, then, for a record with an OCSF view, the tag `o` and the view's JSON bytes,
    /// then, for a record with an enrichment, the tag `e` and the enrichment's JSON bytes (each
    /// length-prefixed).
    ///
    /// Records without a view or an enrichment encode exactly as before these parts existed, so
    /// older logs still verify.
    public static func canonicalBytes(
        attributes: [UInt8],
        dataKind: UInt8,
        data: [UInt8],
        ingestMilliseconds: Int64,
        ocsf: [UInt8]? = nil,
        enrichment: [UInt8]? = nil
    ) -> [UInt8] {
        var output: [UInt8] = Array("tocsin.record.v1".utf8)
        output.reserveCapacity(
            output.count + 36 + attributes.count + data.count + (ocsf?.count ?? 0) + (enrichment?.count ?? 0)
        )
        appendInteger(UInt64(bitPattern: ingestMilliseconds), to: &output)
        appendInteger(UInt32(attributes.count), to: &output)
        output.append(contentsOf: attributes)
        output.append(dataKind)
        appendInteger(UInt32(data.count), to: &output)
        output.append(contentsOf: data)
        if let ocsf {
            output.append(UInt8(ascii: "o"))
            appendInteger(UInt32(ocsf.count), to: &output)
            output.append(contentsOf: ocsf)
        }
        if let enrichment {
            output.append(UInt8(ascii: "e"))
            appendInteger(UInt32(enrichment.count), to: &output)
            output.append(contentsOf: enrichment)
        }
        return output
    }

    /// `SHA-256(canonical)`: the record's own digest.
    public static func digest(canonical: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: canonical))
    }

    /// `SHA-256(previous ‖ digest)`: the chain hash of a record whose own digest is `digest`.
    public static func link(previous: [UInt8], digest: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: previous)
        hasher.update(data: digest)
        return Array(hasher.finalize())
    }

    /// The message a checkpoint signs: a version tag, the sequence number and the chain hash there.
    public static func checkpointMessage(sequence: Int64, hash: [UInt8]) -> [UInt8] {
        var output: [UInt8] = Array("tocsin.checkpoint.v1".utf8)
        appendInteger(UInt64(bitPattern: sequence), to: &output)
        output.append(contentsOf: hash)
        return output
    }

    private static func appendInteger<T: FixedWidthInteger>(_ value: T, to output: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { output.append(contentsOf: $0) }
    }
}

/// Lower-case hexadecimal encoding.
public enum Hex: Sendable {
    /// Encodes bytes as lower-case hex.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let input = Array(bytes)
        return input.withUnsafeBytes { encode($0) }
    }

    /// Encodes raw bytes as lower-case hex, without copying them first.
    public static func encode(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { output in
            for (index, byte) in bytes.enumerated() {
                output[2 * index] = digit(byte >> 4)
                output[2 * index + 1] = digit(byte & 0x0F)
            }
            return bytes.count * 2
        }
    }

    @inline(__always)
    private static func digit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? nibble + UInt8(ascii: "0") : nibble - 10 + UInt8(ascii: "a")
    }

    /// Decodes hex text (either case), or `nil` when it is not hex.
    public static func decode(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else {
            return nil
        }
        var output: [UInt8] = []
        output.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = value(of: digits[index]), let low = value(of: digits[index + 1]) else {
                return nil
            }
            output.append(high << 4 | low)
            index += 2
        }
        return output
    }

    /// The value of one hex digit (either case), or `nil`.
    public static func value(of digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
