// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// A JWS in compact serialisation (`header.payload.signature`), split and decoded but not yet
/// trusted: nothing in it may be believed before the signature is checked with a key chosen by
/// the verifier.
struct CompactToken {
    /// The decoded header, a JSON object.
    let header: JSONValue
    /// The payload, base64url-decoded (parse it only after the signature verifies).
    let payload: [UInt8]
    /// The signature bytes.
    let signature: [UInt8]
    /// What the signature covers: the ASCII of `header.payload` as sent.
    let signingInput: ArraySlice<UInt8>

    /// Limits for the header and payload JSON.
    static let jsonLimits = JSONParser.Limits(maxDepth: 16, maxBytes: 16 * 1024)

    /// Splits and decodes `token`; `nil` when it is not three base64url parts with a JSON object
    /// header.
    init?(_ token: String) {
        let bytes = Array(token.utf8)
        let periods = bytes.indices.filter { bytes[$0] == UInt8(ascii: ".") }
        guard periods.count == 2 else {
            return nil
        }
        guard let header = Base64URL.decode(bytes[..<periods[0]]),
            let payload = Base64URL.decode(bytes[(periods[0] + 1)..<periods[1]]),
            let signature = Base64URL.decode(bytes[(periods[1] + 1)...]),
            let decoded = try? JSONParser(limits: Self.jsonLimits).parse(header),
            case .object = decoded
        else {
            return nil
        }
        self.header = decoded
        self.payload = payload
        self.signature = signature
        self.signingInput = bytes[..<periods[1]]
    }
}

/// Strict base64url without padding (RFC 7515 §2): any other byte, or a length that cannot
/// occur, is refused.
enum Base64URL {
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8).enumerated()
        {
            table[Int(byte)] = UInt8(index)
        }
        return table
    }()

    /// The decoded bytes, or `nil` for text that is not unpadded base64url.
    static func decode(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        guard text.count % 4 != 1 else {
            return nil
        }
        var output: [UInt8] = []
        output.reserveCapacity(text.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in text {
            let value = values[Int(byte)]
            guard value != 0xFF else {
                return nil
            }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        // Leftover bits must be zero, so one token has exactly one encoding.
        guard accumulator & ((1 << UInt32(bits)) - 1) == 0 else {
            return nil
        }
        return output
    }
}
