// SPDX-License-Identifier: Apache-2.0

/// A value from a MaxMind DB data section (format 2.0, "Data Section Separator" onwards).
public enum MaxMindValue: Sendable, Hashable {
    /// A UTF-8 string.
    case string(String)
    /// A 64-bit IEEE 754 double.
    case double(Double)
    /// A 32-bit IEEE 754 float.
    case float(Float)
    /// Raw bytes.
    case bytes([UInt8])
    /// An unsigned 16-, 32-, 64- or 128-bit integer.
    case unsigned(UInt128)
    /// A signed 32-bit integer.
    case int32(Int32)
    /// A map with string keys.
    case map([String: MaxMindValue])
    /// An array.
    case array([MaxMindValue])
    /// A boolean.
    case bool(Bool)

    /// The member named `key` when this is a map.
    public subscript(key: String) -> MaxMindValue? {
        if case .map(let members) = self {
            return members[key]
        }
        return nil
    }

    /// The text when this is a string.
    public var string: String? {
        if case .string(let text) = self {
            return text
        }
        return nil
    }

    /// The number when this is an unsigned integer that fits 64 bits.
    public var unsigned: UInt64? {
        if case .unsigned(let number) = self, number <= UInt128(UInt64.max) {
            return UInt64(number)
        }
        return nil
    }
}

/// One step of a path into a data-section value: a map key or an array index.
public enum MaxMindPathStep: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    /// The member of a map with this key.
    case key(String)
    /// The element of an array at this index.
    case index(Int)

    /// A key step.
    public init(stringLiteral value: String) {
        self = .key(value)
    }

    /// An index step.
    public init(integerLiteral value: Int) {
        self = .index(value)
    }
}

/// Reads values from a data section, bounds-checking every byte against the section, which comes
/// from a file that is not trusted: a bad offset, size, type or pointer is an error, never a trap.
struct MaxMindDataSection {
    /// The section's bytes; offsets and pointers are relative to its start.
    let bytes: UnsafeRawBufferPointer
    /// How deep maps and arrays may nest.
    static let maxDepth = 32

    /// A field's header: its type, its size (or a pointer's target) and where its payload starts.
    struct Header {
        var type: Int
        var size: Int
        var payload: Int
    }

    enum FieldType {
        static let pointer = 1
        static let string = 2
        static let double = 3
        static let bytes = 4
        static let uint16 = 5
        static let uint32 = 6
        static let map = 7
        static let int32 = 8
        static let uint64 = 9
        static let uint128 = 10
        static let array = 11
        static let boolean = 14
        static let float = 15
    }

    /// The header at `offset`, as written (a pointer is not followed).
    func header(at offset: Int) throws(MaxMindError) -> Header {
        var cursor = offset
        let control = Int(try byte(at: cursor))
        cursor += 1
        var type = control >> 5
        if type == FieldType.pointer {
            let high = control & 0x07
            switch (control >> 3) & 0x03 {
            case 0:
                return Header(type: type, size: high << 8 | (try number(at: cursor, count: 1)), payload: cursor + 1)
            case 1:
                let low = try number(at: cursor, count: 2)
                return Header(type: type, size: (high << 16 | low) + 2048, payload: cursor + 2)
            case 2:
                let low = try number(at: cursor, count: 3)
                return Header(type: type, size: (high << 24 | low) + 526_336, payload: cursor + 3)
            default:
                return Header(type: type, size: try number(at: cursor, count: 4), payload: cursor + 4)
            }
        }
        if type == 0 {
            type = 7 + Int(try byte(at: cursor))
            cursor += 1
            guard (8...15).contains(type), type != 12, type != 13 else {
                throw MaxMindError("data section byte \(offset): unknown field type \(type)")
            }
        }
        var size = control & 0x1F
        switch size {
        case 29:
            size = 29 + (try number(at: cursor, count: 1))
            cursor += 1
        case 30:
            size = 285 + (try number(at: cursor, count: 2))
            cursor += 2
        case 31:
            size = 65_821 + (try number(at: cursor, count: 3))
            cursor += 3
        default:
            break
        }
        return Header(type: type, size: size, payload: cursor)
    }

    /// The header of the value at `offset`, with a pointer followed to what it points at.
    func target(at offset: Int) throws(MaxMindError) -> Header {
        let header = try header(at: offset)
        guard header.type == FieldType.pointer else {
            return header
        }
        let target = try self.header(at: header.size)
        guard target.type != FieldType.pointer else {
            throw MaxMindError("data section byte \(offset): a pointer points to another pointer")
        }
        return target
    }

    /// Where the field after the one at `offset` starts (after a pointer's own bytes).
    func next(after offset: Int) throws(MaxMindError) -> Int {
        try end(of: header(at: offset), at: offset, depth: 0)
    }

    /// Where the field at `offset` (with header `header`) ends; maps and arrays are walked.
    func end(of header: Header, at offset: Int, depth: Int) throws(MaxMindError) -> Int {
        switch header.type {
        case FieldType.pointer, FieldType.boolean:
            return header.payload
        case FieldType.map, FieldType.array:
            guard depth < Self.maxDepth else {
                throw MaxMindError("data section byte \(offset): nested deeper than \(Self.maxDepth)")
            }
            var cursor = header.payload
            let count = header.type == FieldType.map ? header.size * 2 : header.size
            for _ in 0..<count {
                cursor = try end(of: self.header(at: cursor), at: cursor, depth: depth + 1)
            }
            return cursor
        default:
            guard header.payload + header.size <= bytes.count else {
                throw MaxMindError("data section byte \(offset): a field of \(header.size) bytes runs past the end")
            }
            return header.payload + header.size
        }
    }

    /// The offset of the value found by following `path` from the value at `offset`, or `nil`
    /// when a key or index along it is absent.
    func find(_ path: [MaxMindPathStep], from offset: Int) throws(MaxMindError) -> Int? {
        var current = offset
        for step in path {
            let header = try target(at: current)
            switch (step, header.type) {
            case (.key(let key), FieldType.map):
                guard let value = try member(key, of: header) else {
                    return nil
                }
                current = value
            case (.index(let index), FieldType.array):
                guard index >= 0, index < header.size else {
                    return nil
                }
                var cursor = header.payload
                for _ in 0..<index {
                    cursor = try next(after: cursor)
                }
                current = cursor
            default:
                return nil
            }
        }
        return current
    }

    /// The keys of the map at `offset` and the offsets of their values; empty when it is not a map.
    func members(at offset: Int) throws(MaxMindError) -> [(key: String, value: Int)] {
        let header = try target(at: offset)
        guard header.type == FieldType.map else {
            return []
        }
        var members: [(key: String, value: Int)] = []
        members.reserveCapacity(header.size)
        var cursor = header.payload
        for _ in 0..<header.size {
            let keyHeader = try target(at: cursor)
            guard keyHeader.type == FieldType.string else {
                throw MaxMindError("data section byte \(cursor): a map key is not a string")
            }
            let key = String(decoding: UnsafeRawBufferPointer(rebasing: try slice(keyHeader)), as: UTF8.self)
            let value = try next(after: cursor)
            members.append((key, value))
            cursor = try next(after: value)
        }
        return members
    }

    /// The offset of the value of `key` in the map with `header`, comparing key bytes in place.
    private func member(_ key: String, of header: Header) throws(MaxMindError) -> Int? {
        var cursor = header.payload
        for _ in 0..<header.size {
            let keyHeader = try target(at: cursor)
            let valueOffset = try next(after: cursor)
            guard keyHeader.type == FieldType.string else {
                throw MaxMindError("data section byte \(cursor): a map key is not a string")
            }
            let keyBytes = try slice(keyHeader)
            if keyBytes.elementsEqual(key.utf8) {
                return valueOffset
            }
            cursor = try next(after: valueOffset)
        }
        return nil
    }

    /// Decodes the whole value at `offset`; `budget` bounds how many values it may produce, so a
    /// file whose pointers fan out cannot make decoding explode.
    func decode(at offset: Int, depth: Int = 0, budget: inout Int) throws(MaxMindError) -> MaxMindValue {
        budget -= 1
        guard budget >= 0 else {
            throw MaxMindError("data section byte \(offset): the value has too many parts")
        }
        let header = try target(at: offset)
        switch header.type {
        case FieldType.string:
            // Invalid UTF-8 (a damaged file) is repaired with U+FFFD rather than refused.
            return .string(String(decoding: UnsafeRawBufferPointer(rebasing: try slice(header)), as: UTF8.self))
        case FieldType.double:
            return .double(Double(bitPattern: try fixedWidth(header, bytes: 8, at: offset)))
        case FieldType.float:
            return .float(Float(bitPattern: UInt32(try fixedWidth(header, bytes: 4, at: offset))))
        case FieldType.bytes:
            return .bytes(Array(try slice(header)))
        case FieldType.uint16, FieldType.uint32, FieldType.uint64, FieldType.uint128:
            let widths = [FieldType.uint16: 2, FieldType.uint32: 4, FieldType.uint64: 8, FieldType.uint128: 16]
            guard header.size <= widths[header.type, default: 0] else {
                throw MaxMindError("data section byte \(offset): an integer of \(header.size) bytes is too wide")
            }
            var value: UInt128 = 0
            for byte in try slice(header) {
                value = value << 8 | UInt128(byte)
            }
            return .unsigned(value)
        case FieldType.int32:
            guard header.size <= 4 else {
                throw MaxMindError("data section byte \(offset): an int32 of \(header.size) bytes is too wide")
            }
            let bits = UInt32(try slice(header).reduce(0) { $0 << 8 | UInt64($1) })
            return .int32(Int32(bitPattern: bits))
        case FieldType.boolean:
            guard header.size <= 1 else {
                throw MaxMindError("data section byte \(offset): a boolean has size \(header.size)")
            }
            return .bool(header.size == 1)
        case FieldType.map, FieldType.array:
            return try decodeContainer(header, at: offset, depth: depth, budget: &budget)
        default:
            throw MaxMindError("data section byte \(offset): field type \(header.type) is not a value")
        }
    }

    private func decodeContainer(
        _ header: Header,
        at offset: Int,
        depth: Int,
        budget: inout Int
    ) throws(MaxMindError) -> MaxMindValue {
        guard depth < Self.maxDepth else {
            throw MaxMindError("data section byte \(offset): nested deeper than \(Self.maxDepth)")
        }
        var cursor = header.payload
        if header.type == FieldType.array {
            var elements: [MaxMindValue] = []
            for _ in 0..<header.size {
                elements.append(try decode(at: cursor, depth: depth + 1, budget: &budget))
                cursor = try next(after: cursor)
            }
            return .array(elements)
        }
        var members: [String: MaxMindValue] = [:]
        for _ in 0..<header.size {
            guard case .string(let key) = try decode(at: cursor, depth: depth + 1, budget: &budget) else {
                throw MaxMindError("data section byte \(cursor): a map key is not a string")
            }
            cursor = try next(after: cursor)
            members[key] = try decode(at: cursor, depth: depth + 1, budget: &budget)
            cursor = try next(after: cursor)
        }
        return .map(members)
    }

    private func fixedWidth(_ header: Header, bytes count: Int, at offset: Int) throws(MaxMindError) -> UInt64 {
        guard header.size == count else {
            throw MaxMindError("data section byte \(offset): a \(count * 8)-bit float has size \(header.size)")
        }
        return try slice(header).reduce(0) { $0 << 8 | UInt64($1) }
    }

    private func slice(_ header: Header) throws(MaxMindError) -> UnsafeRawBufferPointer.SubSequence {
        guard header.payload + header.size <= bytes.count else {
            throw MaxMindError("data section byte \(header.payload): a field runs past the end of the section")
        }
        return bytes[header.payload..<(header.payload + header.size)]
    }

    private func byte(at offset: Int) throws(MaxMindError) -> UInt8 {
        guard offset >= 0, offset < bytes.count else {
            throw MaxMindError("data section byte \(offset) is past the end of the section")
        }
        return bytes[offset]
    }

    private func number(at offset: Int, count: Int) throws(MaxMindError) -> Int {
        var value = 0
        for index in 0..<count {
            value = value << 8 | Int(try byte(at: offset + index))
        }
        return value
    }
}
