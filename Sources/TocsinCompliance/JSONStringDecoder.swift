// SPDX-License-Identifier: Apache-2.0

/// Decodes the escapes of a JSON string's content into UTF-8.
enum JSONStringDecoder {
    /// Appends the decoded form of the raw string content `raw` to `output`; `false` when an escape
    /// is malformed.
    static func decode(_ raw: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) -> Bool {
        var index = 0
        while index < raw.count {
            guard raw[index] == UInt8(ascii: "\\") else {
                // Copy the plain bytes up to the next escape at once.
                var end = index + 1
                while end < raw.count, raw[end] != UInt8(ascii: "\\") {
                    end += 1
                }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: raw[index..<end]))
                index = end
                continue
            }
            guard index + 1 < raw.count else {
                return false
            }
            let escape = raw[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"):
                output.append(escape)
            case UInt8(ascii: "b"):
                output.append(0x08)
            case UInt8(ascii: "f"):
                output.append(0x0C)
            case UInt8(ascii: "n"):
                output.append(0x0A)
            case UInt8(ascii: "r"):
                output.append(0x0D)
            case UInt8(ascii: "t"):
                output.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(raw, at: index) else {
                    return false
                }
                index += 4
                if (0xD800..<0xDC00).contains(scalar), index + 6 <= raw.count, raw[index] == UInt8(ascii: "\\"),
                    raw[index + 1] == UInt8(ascii: "u"), let low = hex4(raw, at: index + 2),
                    (0xDC00..<0xE000).contains(low)
                {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                appendUTF8(Unicode.Scalar(scalar) ?? "\u{FFFD}", to: &output)
            default:
                return false
            }
        }
        return true
    }

    private static func hex4(_ raw: UnsafeBufferPointer<UInt8>, at index: Int) -> UInt32? {
        guard index + 4 <= raw.count else {
            return nil
        }
        var value: UInt32 = 0
        for offset in index..<index + 4 {
            let byte = raw[offset]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A")) + 10
            default: return nil
            }
            value = value << 4 | digit
        }
        return value
    }

    private static func appendUTF8(_ scalar: Unicode.Scalar, to output: inout [UInt8]) {
        output.append(contentsOf: Array(String(Character(scalar)).utf8))
    }
}
