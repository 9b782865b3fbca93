// SPDX-License-Identifier: Apache-2.0

/// Stepping over a value of a document already known to be valid JSON (``JSONParser/parse(validated:keeping:)``):
/// strings are scanned eight bytes at a time to the next quote or backslash, containers by their
/// depth, and nothing is checked. Every read is bounded by the buffer, so bytes that are not valid
/// JSON give a wrong value or an error, never a read outside the document.
extension JSONReader {
    mutating func skipValidatedValue() {
        var open = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                skipValidatedString()
                if open == 0 {
                    return
                }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                open += 1
                index += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if open == 0 {
                    return
                }
                open -= 1
                index += 1
                if open == 0 {
                    return
                }
            case UInt8(ascii: ","):
                if open == 0 {
                    return
                }
                index += 1
            default:
                index += 1
                if open == 0 {
                    // A number or a literal: it ends at the next delimiter.
                    while index < bytes.count, !Self.endsScalar(bytes[index]) {
                        index += 1
                    }
                    return
                }
            }
        }
    }

    /// Steps over the string whose opening quote is at `index`.
    private mutating func skipValidatedString() {
        index += 1
        while index < bytes.count {
            if index + 8 <= bytes.count {
                let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                let mask = Self.quoteOrBackslash(word)
                if mask == 0 {
                    index += 8
                    continue
                }
                index += mask.trailingZeroBitCount >> 3
            }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                return
            case UInt8(ascii: "\\"):
                index = min(index + 2, bytes.count)
            default:
                index += 1
            }
        }
    }

    @inline(__always)
    private static func endsScalar(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: " "), UInt8(ascii: "\n"),
            UInt8(ascii: "\r"), UInt8(ascii: "\t"):
            true
        default: false
        }
    }

    /// The high bit of each byte of `word` (read little-endian) that is '"' or '\\'; the lowest set
    /// bit marks the first such byte (a borrow can only flag bytes after it).
    @inline(__always)
    private static func quoteOrBackslash(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        return (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)) & 0x8080_8080_8080_8080
    }
}
