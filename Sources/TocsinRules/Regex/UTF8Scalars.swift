// SPDX-License-Identifier: Apache-2.0

/// Decoding of Unicode scalars from possibly invalid UTF-8, for the regex searchers.
enum UTF8Scalars {
    /// The replacement character that stands for each invalid sequence.
    static let replacement: UInt32 = 0xFFFD

    /// The scalar starting at `index` and its length in bytes; `index` must be inside `bytes`.
    ///
    /// An invalid sequence decodes to U+FFFD and consumes its maximal valid prefix (at least one
    /// byte), the Unicode "best practice" that Swift's own decoder follows, so a byte that is not a
    /// continuation byte (0x80–0xBF) always starts a new scalar.
    @inline(__always)
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (scalar: UInt32, length: Int) {
        let lead = bytes[index]
        if lead < 0x80 {
            return (UInt32(lead), 1)
        }
        return decodeMultibyte(bytes, at: index, lead: lead)
    }

    private static func decodeMultibyte(
        _ bytes: UnsafeBufferPointer<UInt8>,
        at index: Int,
        lead: UInt8
    ) -> (scalar: UInt32, length: Int) {
        let count: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF:
            count = 2
        case 0xE0:
            count = 3
            secondRange = 0xA0...0xBF
        case 0xED:
            count = 3
            secondRange = 0x80...0x9F
        case 0xE1...0xEC, 0xEE...0xEF:
            count = 3
        case 0xF0:
            count = 4
            secondRange = 0x90...0xBF
        case 0xF4:
            count = 4
            secondRange = 0x80...0x8F
        case 0xF1...0xF3:
            count = 4
        default:
            return (replacement, 1)
        }
        var scalar = UInt32(lead) & (0x7F >> UInt32(count))
        for offset in 1..<count {
            let position = index + offset
            guard position < bytes.count else {
                return (replacement, offset)
            }
            let byte = bytes[position]
            let valid = offset == 1 ? secondRange.contains(byte) : (0x80...0xBF).contains(byte)
            guard valid else {
                return (replacement, offset)
            }
            scalar = scalar << 6 | UInt32(byte & 0x3F)
        }
        return (scalar, count)
    }

    /// Whether `byte` is an ASCII word character (`[0-9A-Za-z_]`), for `\b`; `-1` (no byte) is not.
    @inline(__always)
    static func isWordByte(_ byte: Int) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x5F, 0x61...0x7A: return true
        default: return false
        }
    }

    /// The assertions that hold between the byte before a position and the byte at it.
    ///
    /// `-1` stands for no byte (the ends of the text). One byte each way suffices: the assertions
    /// look only at ASCII (`\n` and `\w`), and an ASCII byte is always a scalar of its own.
    @inline(__always)
    static func context(previous: Int, next: Int) -> UInt8 {
        var mask: UInt8 = 0
        if previous < 0 {
            mask |= RegexAssertion.textStart.bit | RegexAssertion.lineStart.bit
        } else if previous == 0x0A {
            mask |= RegexAssertion.lineStart.bit
        }
        if next < 0 {
            mask |= RegexAssertion.textEnd.bit | RegexAssertion.lineEnd.bit
        } else if next == 0x0A {
            mask |= RegexAssertion.lineEnd.bit
        }
        if isWordByte(previous) != isWordByte(next) {
            mask |= RegexAssertion.wordBoundary.bit
        } else {
            mask |= RegexAssertion.notWordBoundary.bit
        }
        return mask
    }
}
