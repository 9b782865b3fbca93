// SPDX-License-Identifier: Apache-2.0

/// The CloudEvents HTTP binding's header value encoding (percent-encoded UTF-8).
public enum HeaderValueCodec: Sendable {
    /// Decodes a received header value: unwraps an RFC 7230 quoted-string, then undoes exactly one
    /// round of percent-encoding.
    ///
    /// Returns `nil` for malformed escapes or bytes that are not UTF-8.
    public static func decode(_ raw: String) -> String? {
        var bytes = Array(raw.utf8)
        if bytes.count >= 2, bytes.first == UInt8(ascii: "\""), bytes.last == UInt8(ascii: "\"") {
            var unquoted: [UInt8] = []
            var index = 1
            while index < bytes.count - 1 {
                if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count - 1 {
                    index += 1
                }
                unquoted.append(bytes[index])
                index += 1
            }
            bytes = unquoted
        }
        guard bytes.contains(UInt8(ascii: "%")) else {
            return String(validating: bytes, as: UTF8.self)
        }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, let high = Hex.value(of: bytes[index + 1]),
                    let low = Hex.value(of: bytes[index + 2])
                else {
                    return nil
                }
                decoded.append(high << 4 | low)
                index += 3
            } else {
                decoded.append(bytes[index])
                index += 1
            }
        }
        return String(validating: decoded, as: UTF8.self)
    }

    /// Encodes a value for a header: percent-encodes space, `"`, `%` and everything outside
    /// printable ASCII, per Unicode scalar, with upper-case hex.
    public static func encode(_ value: String) -> String {
        var output: [UInt8] = []
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in value.utf8 {
            if byte > 0x20, byte < 0x7F, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "%") {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "%"))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
