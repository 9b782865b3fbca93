// SPDX-License-Identifier: Apache-2.0

/// Just enough base64url decoding to check a JWT header.
enum Base64URL {
    /// The 6-bit value of a base64url character, or `nil`.
    private static func value(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): UInt32(byte - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): UInt32(byte - UInt8(ascii: "a")) + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0")) + 52
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: nil
        }
    }

    /// The decoded bytes of unpadded base64url `text`, or `nil` when it is not base64url.
    static func decode(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard text.count % 4 != 1 else {
            return nil
        }
        var output: [UInt8] = []
        output.reserveCapacity(text.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in text {
            guard let value = value(byte) else {
                return nil
            }
            buffer = (buffer << 6) | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8((buffer >> UInt32(bits)) & 0xFF))
            }
        }
        return output
    }

    /// Whether `text` decodes to a JSON object text that has an `"alg"` member name.
    static func isJSONObjectWithAlgorithm(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let decoded = decode(text) else {
            return false
        }
        guard let first = decoded.first(where: { $0 > UInt8(ascii: " ") }), first == UInt8(ascii: "{") else {
            return false
        }
        let needle = Array("\"alg\"".utf8)
        guard decoded.count >= needle.count else {
            return false
        }
        for start in 0...(decoded.count - needle.count)
        where decoded[start..<start + needle.count].elementsEqual(needle) {
            return true
        }
        return false
    }
}
