// SPDX-License-Identifier: Apache-2.0

/// A read position in a line's UTF-8 bytes, for the hand-written syslog parsers.
struct ByteCursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    var isAtEnd: Bool { index >= bytes.count }
    var remaining: Int { bytes.count - index }
    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    func peek(at offset: Int) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    func byte(at position: Int) -> UInt8 {
        position < bytes.count ? bytes[position] : 0
    }

    func slice(_ start: Int, _ end: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[start..<min(end, bytes.count)])
    }

    mutating func advance(by count: Int = 1) {
        index = min(index + count, bytes.count)
    }

    mutating func consume(_ byte: UInt8) -> Bool {
        guard peek == byte else {
            return false
        }
        index += 1
        return true
    }

    /// Decimal digits (at most `maxDigits`) as a number; `nil` when there are none.
    mutating func readNumber(maxDigits: Int) -> Int? {
        var value = 0
        var digits = 0
        while let byte = peek, byte >= 0x30, byte <= 0x39, digits < maxDigits {
            value = value * 10 + Int(byte - 0x30)
            digits += 1
            index += 1
        }
        return digits == 0 ? nil : value
    }

    /// The bytes up to the next space (or the end).
    mutating func readToken() -> String {
        readWhile { $0 != UInt8(ascii: " ") }
    }

    mutating func readWhile(_ accept: (UInt8) -> Bool) -> String {
        let start = index
        while let byte = peek, accept(byte) {
            index += 1
        }
        return String(decoding: slice(start, index), as: UTF8.self)
    }

    /// Everything from here to the end.
    var rest: String {
        String(decoding: slice(index, bytes.count), as: UTF8.self)
    }

    /// Skips one `[id param="value" …]` element, honouring `\"`, `\\` and `\]` in values.
    mutating func skipStructuredElement() -> Bool {
        guard consume(UInt8(ascii: "[")) else {
            return false
        }
        var quoted = false
        while let byte = peek {
            index += 1
            if quoted {
                if byte == UInt8(ascii: "\\") {
                    index = min(index + 1, bytes.count)
                } else if byte == UInt8(ascii: "\"") {
                    quoted = false
                }
            } else if byte == UInt8(ascii: "\"") {
                quoted = true
            } else if byte == UInt8(ascii: "]") {
                return true
            }
        }
        return false
    }
}
