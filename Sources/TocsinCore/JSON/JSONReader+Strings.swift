// SPDX-License-Identifier: Apache-2.0

extension JSONReader {
    /// Reads a string value starting at its opening quote.
    mutating func readString() throws(JSONParseError) -> String {
        if let range = try readStringBytes() {
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }
        return String(decoding: scratch, as: UTF8.self)
    }

    /// Reads a member name starting at its opening quote, taking it from
    /// ``JSONNameTable/wellKnown`` when it is there, and returns it with the hash of its UTF-8.
    mutating func readName() throws(JSONParseError) -> (name: String, hash: UInt64) {
        if let range = try readStringBytes() {
            return name(
                UnsafeRawBufferPointer(rebasing: bytes[range]),
                canReadPast: range.lowerBound + 8 <= bytes.count
            )
        }
        return scratch.withUnsafeBytes { name($0, canReadPast: false) }
    }

    private func name(_ utf8: UnsafeRawBufferPointer, canReadPast: Bool) -> (name: String, hash: UInt64) {
        let key = JSONNameTable.Key(utf8, canReadPast: canReadPast)
        return (knownNames.name(spelledBy: utf8, key: key) ?? String(decoding: utf8, as: UTF8.self), key.hash)
    }

    /// Reads a string starting at its opening quote and returns the range of its source bytes
    /// when it has no escapes (those bytes are then its UTF-8), or `nil` when its decoded UTF-8
    /// is in `scratch`.
    mutating func readStringBytes() throws(JSONParseError) -> Range<Int>? {
        index += 1
        var runStart = index
        try skipVerbatimRun()
        if bytes[index] == UInt8(ascii: "\"") {
            index += 1
            return runStart..<(index - 1)
        }
        scratch.removeAll(keepingCapacity: true)
        while true {
            scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<index]))
            if bytes[index] == UInt8(ascii: "\"") {
                index += 1
                return nil
            }
            try readEscape()
            runStart = index
            try skipVerbatimRun()
        }
    }

    /// Advances over string content that needs no decoding, validating its UTF-8, and stops at
    /// the next '"' or '\\'.
    @inline(__always)
    private mutating func skipVerbatimRun() throws(JSONParseError) {
        while true {
            if index + 8 <= bytes.count {
                let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                let mask = Self.attentionMask(word)
                if mask == 0 {
                    index += 8
                    continue
                }
                index += mask.trailingZeroBitCount >> 3
            } else if index == bytes.count {
                throw fail(.unexpectedEnd, "the document ended inside a string")
            }
            switch bytes[index] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                return
            case 0..<0x20:
                throw fail(.controlCharacter, "control characters must be escaped inside strings")
            case 0x80...:
                try skipUTF8Sequence()
            default:
                index += 1
            }
        }
    }

    private mutating func readEscape() throws(JSONParseError) {
        index += 1
        guard index < bytes.count else {
            throw fail(.unexpectedEnd, "the document ended inside an escape")
        }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(byte)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"): try readUnicodeEscape()
        default:
            index -= 2
            throw fail(.invalidEscape, "unknown escape; valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX")
        }
    }

    private mutating func readUnicodeEscape() throws(JSONParseError) {
        let escapeStart = index - 2
        var scalar = try readHex4()
        if scalar >= 0xD800, scalar < 0xDC00 {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            else {
                index = escapeStart
                throw fail(.invalidEscape, "a high surrogate escape must be followed by a low surrogate escape")
            }
            index += 2
            let low = try readHex4()
            guard low >= 0xDC00, low < 0xE000 else {
                index = escapeStart
                throw fail(.invalidEscape, "a high surrogate escape must be followed by a low surrogate escape")
            }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if scalar >= 0xDC00, scalar < 0xE000 {
            index = escapeStart
            throw fail(.invalidEscape, "an unpaired low surrogate escape is not a character")
        }
        guard let unicode = Unicode.Scalar(scalar) else {
            index = escapeStart
            throw fail(.invalidEscape, "escape does not name a Unicode scalar")
        }
        scratch.append(contentsOf: Character(unicode).utf8)
    }

    private mutating func readHex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else {
            throw fail(.unexpectedEnd, "the document ended inside a \\u escape")
        }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail(.invalidEscape, "a \\u escape needs four hex digits")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// Validates one multi-byte UTF-8 sequence (RFC 3629: no overlongs, no surrogates, at most
    /// U+10FFFF) and steps over it.
    private mutating func skipUTF8Sequence() throws(JSONParseError) {
        let lead = bytes[index]
        let length: Int
        var lowerBound: UInt8 = 0x80
        var upperBound: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lowerBound = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upperBound = 0x9F
        case 0xF0: length = 4; lowerBound = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upperBound = 0x8F
        default: throw fail(.invalidUTF8, "invalid UTF-8 lead byte")
        }
        guard index + length <= bytes.count else {
            throw fail(.invalidUTF8, "truncated UTF-8 sequence")
        }
        let second = bytes[index + 1]
        guard second >= lowerBound, second <= upperBound else {
            throw fail(.invalidUTF8, "invalid UTF-8 continuation byte (overlong, surrogate or out of range)")
        }
        for offset in 2..<max(2, length) where bytes[index + offset] & 0xC0 != 0x80 {
            index += offset
            throw fail(.invalidUTF8, "invalid UTF-8 continuation byte")
        }
        index += length
    }

    /// The high bit of each byte of `word` (read little-endian) that is '"', '\\', below 0x20 or at
    /// least 0x80, SWAR style: a zero byte after XOR shows equality, and subtracting 0x20 borrows
    /// into the high bit for bytes below 0x20.
    ///
    /// A borrow can also flag a byte after a flagged one, never before, so the lowest set bit
    /// always marks the first byte that needs attention.
    @inline(__always)
    private static func attentionMask(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let hasQuote = (quote &- ones) & ~quote
        let hasBackslash = (backslash &- ones) & ~backslash
        let hasControl = (word &- ones &* 0x20) & ~word
        return (hasQuote | hasBackslash | hasControl | word) & highs
    }
}
