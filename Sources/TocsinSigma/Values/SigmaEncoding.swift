// SPDX-License-Identifier: Apache-2.0

/// The value transformations of the `windash`, `base64`, `base64offset` and `utf16*` modifiers.
enum SigmaEncoding {
    /// The characters `windash` allows in place of a dash: `-`, `/`, en dash, em dash, horizontal bar.
    static let dashes: [Unicode.Scalar] = ["-", "/", "\u{2013}", "\u{2014}", "\u{2015}"]

    /// Turns each `-` or `/` that starts a word (a non-word character or the start before it, a word
    /// character after it: pySigma's `\B[-/]\b`) into a choice of every dash.
    static func windash(_ value: SigmaString) -> SigmaString {
        var tokens = value.tokens
        for index in tokens.indices {
            guard case .literal(let scalar) = tokens[index], scalar == "-" || scalar == "/" else {
                continue
            }
            let previousIsWord = index > 0 && isWordCharacter(tokens[index - 1])
            let nextIsWord = index + 1 < tokens.count && isWordCharacter(tokens[index + 1])
            if !previousIsWord, nextIsWord {
                tokens[index] = .oneOf(dashes)
            }
        }
        return SigmaString(tokens: tokens)
    }

    private static func isWordCharacter(_ token: SigmaString.Token) -> Bool {
        guard case .literal(let scalar) = token else {
            return false
        }
        return scalar == "_" || scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }

    /// UTF-16 little endian bytes.
    static func utf16LittleEndian(_ text: String) -> [UInt8] {
        text.utf16.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] }
    }

    /// UTF-16 big endian bytes.
    static func utf16BigEndian(_ text: String) -> [UInt8] {
        text.utf16.flatMap { [UInt8(truncatingIfNeeded: $0 >> 8), UInt8(truncatingIfNeeded: $0)] }
    }

    /// UTF-16 with a byte order mark (little endian, as Windows writes it).
    static func utf16WithBOM(_ text: String) -> [UInt8] {
        [0xFF, 0xFE] + utf16LittleEndian(text)
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Standard base64 with padding.
    static func base64(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let first = bytes[index]
            let second = index + 1 < bytes.count ? bytes[index + 1] : 0
            let third = index + 2 < bytes.count ? bytes[index + 2] : 0
            output.append(alphabet[Int(first >> 2)])
            output.append(alphabet[Int((first & 0x03) << 4 | second >> 4)])
            output.append(
                index + 1 < bytes.count ? alphabet[Int((second & 0x0F) << 2 | third >> 6)] : UInt8(ascii: "=")
            )
            output.append(index + 2 < bytes.count ? alphabet[Int(third & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The three base64 forms of `bytes` as it may appear at any offset inside a longer encoded
    /// text: encode after 0, 1 or 2 filler bytes, then drop the leading characters that depend on
    /// the filler and the trailing ones that depend on what follows.
    static func base64Offsets(_ bytes: [UInt8]) -> [String] {
        let leadingDrop = [0, 2, 3]
        let trailingDrop = [0, 3, 2]
        var results: [String] = []
        for shift in 0..<3 {
            let encoded = Array(base64([UInt8](repeating: 0x20, count: shift) + bytes).utf8)
            let drop = trailingDrop[(bytes.count + shift) % 3]
            let end = encoded.count - drop
            let start = leadingDrop[shift]
            guard end > start else {
                continue
            }
            results.append(String(decoding: encoded[start..<end], as: UTF8.self))
        }
        return results
    }

    /// Bytes read as ISO 8859-1 characters (what an encoded value is compared as when no base64 follows).
    static func latin1(_ bytes: [UInt8]) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes {
            scalars.append(Unicode.Scalar(byte))
        }
        return String(scalars)
    }
}
