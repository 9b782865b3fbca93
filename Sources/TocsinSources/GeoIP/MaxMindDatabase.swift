// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// The bytes of a MaxMind DB file, copied once into memory that does not move, so lookups read
/// them through a plain pointer (no copy-on-write checks or closures on the lookup path).
///
/// `@unchecked Sendable`: the buffer is written once, in `init`, and only ever read after.
public final class MaxMindBytes: @unchecked Sendable {
    /// The file's bytes; valid until this object goes away.
    let buffer: UnsafeRawBufferPointer

    /// Copies `bytes`.
    public init(_ bytes: [UInt8]) {
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 8)
        copy.copyBytes(from: bytes)
        buffer = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(copy)[0..<bytes.count])
    }

    deinit {
        buffer.deallocate()
    }
}

/// Why a MaxMind DB file cannot be used, or a lookup in it failed.
public struct MaxMindError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, with the byte offset where it was found.
    public var message: String

    /// Creates an error.
    public init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String {
        message
    }
}

/// A MaxMind DB (`.mmdb`, format 2.x) file: a binary search tree over address bits whose leaves
/// point into a data section of typed values (GeoLite2/GeoIP2 City, Country and ASN files, and
/// any other database in the format).
///
/// Everything read from the file is bounds-checked; a damaged file gives a ``MaxMindError``.
public struct MaxMindDatabase: Sendable {
    /// What the file's metadata says about it.
    public struct Metadata: Sendable, Hashable {
        /// The database's kind, such as `GeoLite2-City` or `GeoLite2-ASN`.
        public var databaseType: String
        /// 4 for an IPv4-only tree, 6 for a tree over IPv6 (IPv4 under `::/96`).
        public var ipVersion: Int
        /// Bits per tree record: 24, 28 or 32.
        public var recordSize: Int
        /// Nodes in the search tree.
        public var nodeCount: Int
        /// When the file was built (seconds since 1970).
        public var buildEpoch: UInt64
    }

    /// Where an address's data is: its offset in the data section, and the prefix length of the
    /// network that holds the address.
    public struct Record: Sendable, Hashable {
        /// Offset of the value in the data section.
        public var offset: Int
        /// Length of the matched network prefix, in bits of the tree's address family.
        public var prefixLength: Int
    }

    /// The file's metadata.
    public let metadata: Metadata
    private let storage: MaxMindBytes
    private let dataRange: Range<Int>
    private let ipv4Start: Int

    private static let marker: [UInt8] = [0xAB, 0xCD, 0xEF] + Array("MaxMind.com".utf8)
    private static let maxMetadataBytes = 128 * 1024

    /// Opens a database from its bytes.
    ///
    /// - Throws: ``MaxMindError`` when the bytes are not a MaxMind DB 2.x file or are damaged.
    public init(bytes: MaxMindBytes) throws(MaxMindError) {
        let (metadata, dataRange) = try Self.layout(of: bytes.buffer)
        self.storage = bytes
        self.metadata = metadata
        self.dataRange = dataRange
        var node = 0
        if metadata.ipVersion == 6 {
            for _ in 0..<96 where node < metadata.nodeCount {
                node = Self.child(of: node, bit: 0, in: bytes.buffer, recordSize: metadata.recordSize)
            }
        }
        self.ipv4Start = node
    }

    /// Opens a database from a copy of `bytes`.
    ///
    /// - Throws: ``MaxMindError`` when the bytes are not a MaxMind DB 2.x file or are damaged.
    public init(bytes: [UInt8]) throws(MaxMindError) {
        try self.init(bytes: MaxMindBytes(bytes))
    }

    /// Finds the record for `address`; `nil` when no network in the file holds it (or when it is
    /// an IPv6 address and the file covers only IPv4).
    ///
    /// - Throws: ``MaxMindError`` when the tree points outside the data section.
    public func lookup(_ address: IPAddress) throws(MaxMindError) -> Record? {
        if address.isV6 && metadata.ipVersion == 4 {
            return nil
        }
        let bitCount = address.isV6 ? 128 : 32
        let nodeCount = metadata.nodeCount
        let recordSize = metadata.recordSize
        let buffer = storage.buffer
        var node = address.isV6 ? 0 : ipv4Start
        var depth = 0
        while depth < bitCount && node < nodeCount {
            node = Self.child(of: node, bit: Self.bit(depth, of: address), in: buffer, recordSize: recordSize)
            depth += 1
        }
        guard node > nodeCount else {
            return nil
        }
        let offset = node - nodeCount - 16
        guard offset >= 0, offset < dataRange.count else {
            throw MaxMindError("the search tree points to byte \(offset), outside the data section")
        }
        return Record(offset: offset, prefixLength: depth)
    }

    /// The value at `path` in `record` (for example `["city", "names", "en"]`); `nil` when a step
    /// along it is absent.
    ///
    /// - Throws: ``MaxMindError`` when the data is damaged.
    public func value(_ record: Record, at path: [MaxMindPathStep]) throws(MaxMindError) -> MaxMindValue? {
        try withDataSection { section throws(MaxMindError) in
            guard let offset = try section.find(path, from: record.offset) else {
                return nil
            }
            var budget = 10_000
            return try section.decode(at: offset, budget: &budget)
        }
    }

    /// The members of the map at `record`, each with the position of its value (to read further
    /// with ``value(_:at:)``); empty when `record` is not a map.
    ///
    /// One pass over the map, for readers that want several members of it.
    ///
    /// - Throws: ``MaxMindError`` when the data is damaged.
    public func members(_ record: Record) throws(MaxMindError) -> [(key: String, value: Record)] {
        try withDataSection { section throws(MaxMindError) in
            try section.members(at: record.offset).map {
                (key: $0.key, value: Record(offset: $0.value, prefixLength: record.prefixLength))
            }
        }
    }

    /// The whole value of `record`.
    ///
    /// - Throws: ``MaxMindError`` when the data is damaged.
    public func value(_ record: Record) throws(MaxMindError) -> MaxMindValue {
        try withDataSection { section throws(MaxMindError) in
            var budget = 100_000
            return try section.decode(at: record.offset, budget: &budget)
        }
    }

    private func withDataSection<Value>(
        _ body: (MaxMindDataSection) throws(MaxMindError) -> Value
    ) throws(MaxMindError) -> Value {
        try body(MaxMindDataSection(bytes: UnsafeRawBufferPointer(rebasing: storage.buffer[dataRange])))
    }

    private static func bit(_ index: Int, of address: IPAddress) -> Int {
        guard address.isV6 else {
            return Int(address.low >> UInt64(31 - index) & 1)
        }
        let word = index < 64 ? address.high : address.low
        return Int(word >> UInt64(63 - index % 64) & 1)
    }

    /// The left (`bit` 0) or right record of `node`; the caller keeps `node` under the node count,
    /// which ``layout(of:)`` checked fits the file.
    private static func child(of node: Int, bit: Int, in buffer: UnsafeRawBufferPointer, recordSize: Int) -> Int {
        let base = node * recordSize / 4
        func read(_ at: Int, _ count: Int) -> Int {
            var value = 0
            for index in at..<(at + count) {
                value = value << 8 | Int(buffer[index])
            }
            return value
        }
        switch recordSize {
        case 24:
            return read(base + bit * 3, 3)
        case 28:
            let middle = Int(buffer[base + 3])
            return bit == 0 ? (middle & 0xF0) << 20 | read(base, 3) : (middle & 0x0F) << 24 | read(base + 4, 3)
        default:
            return read(base + bit * 4, 4)
        }
    }

    /// Finds the metadata after the last marker, checks it, and returns it with the data section's
    /// byte range.
    private static func layout(of buffer: UnsafeRawBufferPointer) throws(MaxMindError) -> (Metadata, Range<Int>) {
        let searchStart = max(0, buffer.count - maxMetadataBytes - marker.count)
        var markerStart: Int?
        var index = buffer.count - marker.count
        while index >= searchStart {
            if buffer[index] == marker[0], buffer[index..<(index + marker.count)].elementsEqual(marker) {
                markerStart = index
                break
            }
            index -= 1
        }
        guard let markerStart else {
            throw MaxMindError("no MaxMind DB metadata marker in the last 128 KiB (not a .mmdb file, or cut short)")
        }
        let metadataStart = markerStart + marker.count
        let section = MaxMindDataSection(bytes: UnsafeRawBufferPointer(rebasing: buffer[metadataStart...]))
        var budget = 10_000
        let value = try section.decode(at: 0, budget: &budget)
        func number(_ key: String) throws(MaxMindError) -> Int {
            guard let number = value[key]?.unsigned, number <= UInt64(Int.max) else {
                throw MaxMindError("metadata: '\(key)' is missing or not an unsigned integer")
            }
            return Int(number)
        }
        guard try number("binary_format_major_version") == 2 else {
            throw MaxMindError(
                "metadata: binary format major version \(try number("binary_format_major_version")) is not 2"
            )
        }
        let metadata = Metadata(
            databaseType: value["database_type"]?.string ?? "",
            ipVersion: try number("ip_version"),
            recordSize: try number("record_size"),
            nodeCount: try number("node_count"),
            buildEpoch: value["build_epoch"]?.unsigned ?? 0
        )
        guard [4, 6].contains(metadata.ipVersion) else {
            throw MaxMindError("metadata: ip_version \(metadata.ipVersion) is not 4 or 6")
        }
        guard [24, 28, 32].contains(metadata.recordSize) else {
            throw MaxMindError("metadata: record_size \(metadata.recordSize) is not 24, 28 or 32")
        }
        // `node_count` is the file's to choose: neither the tree's size nor the 16-byte separator after
        // it may overflow (a count near `Int.max / 8` passed the multiplication and trapped on the `+ 16`).
        let (treeSize, overflow) = metadata.nodeCount.multipliedReportingOverflow(by: metadata.recordSize / 4)
        guard !overflow, treeSize <= markerStart - 16 else {
            throw MaxMindError("metadata: a tree of \(metadata.nodeCount) nodes does not fit the file")
        }
        return (metadata, (treeSize + 16)..<markerStart)
    }
}
