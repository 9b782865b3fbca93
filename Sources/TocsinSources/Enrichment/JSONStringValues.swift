// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// The string values of a JSON document's bytes, in document order, without building its tree.
///
/// Member names are skipped (a string followed by `:`), numbers and literals are never looked at.
/// A value without escapes is handed over in place; one with escapes is decoded into a scratch
/// buffer first (`\uXXXX` and surrogate pairs to UTF-8, a lone surrogate to U+FFFD). Meant for
/// documents a parser has already accepted; on any other bytes it stays in bounds and stops at the
/// first unterminated string.
struct JSONStringValues {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var scratch: [UInt8] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Calls `body` with each string value until it returns `false` or the document ends.
    mutating func scan(_ body: (UnsafeBufferPointer<UInt8>) -> Bool) {
        while let (start, end, hasEscapes) = nextString() {
            if isMemberName(after: end + 1) {
                continue
            }
            let keepGoing: Bool
            if hasEscapes {
                decode(start..<end)
                keepGoing = scratch.withUnsafeBufferPointer(body)
            } else {
                keepGoing = body(UnsafeBufferPointer(rebasing: bytes[start..<end]))
            }
            guard keepGoing else {
                return
            }
        }
    }

    /// The next string's content range (between its quotes), and whether it holds escapes.
    private mutating func nextString() -> (start: Int, end: Int, hasEscapes: Bool)? {
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
            index += 1
        }
        let start = index + 1
        var hasEscapes = false
        index = start
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                let end = index
                index += 1
                return (start, end, hasEscapes)
            case UInt8(ascii: "\\"):
                hasEscapes = true
                index += 2
            default:
                index += 1
            }
        }
        return nil
    }

    private func isMemberName(after position: Int) -> Bool {
        var position = position
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): position += 1
            case UInt8(ascii: ":"): return true
            default: return false
            }
        }
        return false
    }

    /// Decodes the escaped string content at `range` into ``scratch``.
    private mutating func decode(_ range: Range<Int>) {
        scratch.removeAll(keepingCapacity: true)
        var position = range.lowerBound
        while position < range.upperBound {
            let byte = bytes[position]
            guard byte == UInt8(ascii: "\\"), position + 1 < range.upperBound else {
                scratch.append(byte)
                position += 1
                continue
            }
            let escape = bytes[position + 1]
            position += 2
            switch escape {
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(at: position, before: range.upperBound) else {
                    scratch.append(contentsOf: [0xEF, 0xBF, 0xBD])
                    continue
                }
                position += 4
                if (0xD800..<0xDC00).contains(scalar), position + 6 <= range.upperBound,
                    bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u"),
                    let low = hex4(at: position + 2, before: range.upperBound), (0xDC00..<0xE000).contains(low)
                {
                    scalar = 0x10000 + (scalar - 0xD800) << 10 + (low - 0xDC00)
                    position += 6
                }
                appendUTF8(Unicode.Scalar(scalar) ?? "\u{FFFD}")
            default: scratch.append(escape)
            }
        }
    }

    private func hex4(at position: Int, before end: Int) -> UInt32? {
        guard position + 4 <= end else {
            return nil
        }
        var value: UInt32 = 0
        for offset in 0..<4 {
            guard let digit = Hex.value(of: bytes[position + offset]) else {
                return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private mutating func appendUTF8(_ scalar: Unicode.Scalar) {
        scratch.append(contentsOf: UTF8.encode(scalar).map(Array.init) ?? [0xEF, 0xBF, 0xBD])
    }
}
