// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// A log record read back from its canonical bytes (``HashChain/canonicalBytes(attributes:dataKind:data:ingestMilliseconds:ocsf:enrichment:)``):
/// the event, its ingest time and its OCSF view and enrichment, if any.
public struct CanonicalRecord: Sendable, Hashable {
    /// The event, with its data.
    public var event: CloudEvent
    /// When the log recorded it (milliseconds since the epoch).
    public var ingestMilliseconds: Int64
    /// The OCSF view's JSON bytes, for a native record.
    public var ocsf: [UInt8]?
    /// The enrichment's JSON bytes.
    public var enrichment: [UInt8]?

    /// Parses canonical bytes; every byte must belong to a part.
    ///
    /// - Throws: ``BundleError`` with code ``BundleError/Code/contentMismatch`` naming the part that
    ///   does not parse (a record whose bytes were hashed but are not a record).
    public init(canonical bytes: [UInt8], sequence: Int64) throws(BundleError) {
        var cursor = Cursor(bytes: bytes, sequence: sequence)
        try cursor.expect(Array("tocsin.record.v1".utf8))
        ingestMilliseconds = Int64(bitPattern: try cursor.integer(UInt64.self))
        let attributes = try cursor.part()
        let kind = try cursor.byte()
        let data = try cursor.part()
        ocsf = nil
        enrichment = nil
        if cursor.isAt(UInt8(ascii: "o")) {
            _ = try cursor.byte()
            ocsf = try cursor.part()
        }
        if cursor.isAt(UInt8(ascii: "e")) {
            _ = try cursor.byte()
            enrichment = try cursor.part()
        }
        guard cursor.isAtEnd else {
            throw cursor.failure("has bytes after its last part")
        }
        do {
            event = try CloudEventDecoder().decode(json: try JSONParser().parse(attributes))
        } catch {
            throw cursor.failure("has attributes that are not a CloudEvent")
        }
        switch kind {
        case 0 where data.isEmpty: event.data = nil
        case 1: event.data = .json(data)
        case 2: event.data = .text(String(decoding: data, as: UTF8.self))
        case 3: event.data = .binary(data)
        default: throw cursor.failure("has an unknown data kind")
        }
    }

    /// The event's JSON data, or `nil` when it has none or it is not JSON.
    public var jsonData: JSONValue? {
        guard case .json(let bytes)? = event.data else {
            return nil
        }
        return try? JSONParser().parse(bytes)
    }

    private struct Cursor {
        let bytes: [UInt8]
        let sequence: Int64
        var offset = 0

        init(bytes: [UInt8], sequence: Int64) {
            self.bytes = bytes
            self.sequence = sequence
        }

        var isAtEnd: Bool { offset == bytes.count }

        func isAt(_ byte: UInt8) -> Bool {
            offset < bytes.count && bytes[offset] == byte
        }

        func failure(_ problem: String) -> BundleError {
            BundleError(
                code: .contentMismatch,
                message: "record \(sequence) \(problem) (at byte \(offset) of its canonical bytes)",
                sequence: sequence
            )
        }

        mutating func expect(_ tag: [UInt8]) throws(BundleError) {
            guard bytes.count >= tag.count, Array(bytes[0..<tag.count]) == tag else {
                throw failure("does not start with the tag tocsin.record.v1")
            }
            offset = tag.count
        }

        mutating func byte() throws(BundleError) -> UInt8 {
            guard offset < bytes.count else {
                throw failure("ends early")
            }
            offset += 1
            return bytes[offset - 1]
        }

        mutating func integer<T: FixedWidthInteger & UnsignedInteger>(_: T.Type) throws(BundleError) -> T {
            var value: T = 0
            for _ in 0..<MemoryLayout<T>.size {
                value = value << 8 | T(try byte())
            }
            return value
        }

        mutating func part() throws(BundleError) -> [UInt8] {
            let count = Int(try integer(UInt32.self))
            guard bytes.count - offset >= count else {
                throw failure("ends inside a part")
            }
            offset += count
            return Array(bytes[(offset - count)..<offset])
        }
    }
}
