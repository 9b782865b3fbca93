// SPDX-License-Identifier: Apache-2.0

/// Byte classes for the detectors, from one 256-entry table so each test is a load and a mask.
enum ASCII {
    static let digit: UInt8 = 1
    static let upper: UInt8 = 2
    static let lower: UInt8 = 4
    static let hexLetter: UInt8 = 8
    /// Bytes that may start a detector's match: digits, letters, `+`, `(`, `-`, `@`, `:`.
    static let trigger: UInt8 = 16
    /// Characters of an email local part other than letters and digits: `.`, `_`, `%`, `+`, `-`.
    static let localPunctuation: UInt8 = 32
    /// `/` and `+`, the base64 characters that are not letters or digits.
    static let base64Punctuation: UInt8 = 64

    static let alnum: UInt8 = digit | upper | lower

    static let table: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 256)
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") {
            table[Int(byte)] = digit | trigger
        }
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") {
            table[Int(byte)] = upper | trigger
        }
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") {
            table[Int(byte)] = lower | trigger
        }
        for byte in Array("abcdefABCDEF".utf8) {
            table[Int(byte)] |= hexLetter
        }
        for byte in Array("+(-@:".utf8) {
            table[Int(byte)] |= trigger
        }
        for byte in Array("._%+-".utf8) {
            table[Int(byte)] |= localPunctuation
        }
        for byte in Array("/+".utf8) {
            table[Int(byte)] |= base64Punctuation
        }
        return table
    }()

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    @inline(__always)
    static func isUpper(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "A") < 26
    }

    @inline(__always)
    static func isLower(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "a") < 26
    }

    @inline(__always)
    static func isAlnum(_ byte: UInt8) -> Bool {
        isDigit(byte) || isUpper(byte) || isLower(byte)
    }

    @inline(__always)
    static func isHex(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20) &- UInt8(ascii: "a") < 6
    }

    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        isUpper(byte) ? byte | 0x20 : byte
    }

    /// The high bit of each byte of `word` that is not an ASCII letter or digit, exactly (no borrow
    /// crosses bytes), so eight bytes are classified at once.
    @inline(__always)
    static func nonAlnumMask(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high = ones &* 0x80
        let isASCII = ~word & high
        let low = word & ~high
        let digits = inRange(low, from: UInt8(ascii: "0"), through: UInt8(ascii: "9"))
        let letters = inRange(low | ones &* 0x20, from: UInt8(ascii: "a"), through: UInt8(ascii: "z"))
        return ~((digits | letters) & isASCII) & high
    }

    /// The high bit of each byte of `word` (every byte below 0x80) that lies in `lower...upper`.
    @inline(__always)
    private static func inRange(_ word: UInt64, from lower: UInt8, through upper: UInt8) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let atLeastLower = word &+ ones &* UInt64(0x80 - lower)
        let aboveUpper = word &+ ones &* UInt64(0x7F - upper)
        return atLeastLower & ~aboveUpper & (ones &* 0x80)
    }
}
