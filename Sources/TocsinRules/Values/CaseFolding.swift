// SPDX-License-Identifier: Apache-2.0

/// Case-insensitive comparison for `equals-ignore-case` and its prefix and suffix forms.
///
/// Tocsin compares the `lowercased()` forms of pattern and value. For ASCII and ordinary accented
/// letters this is what event-ruler does; for the few letters whose case mapping is not one to one
/// (`ß`, final sigma, dotless i, the Kelvin sign) the result is documented as unspecified, as the
/// pattern specification allows. ASCII values are compared without allocating.
enum CaseFolding {
    /// The folded form stored for a pattern operand.
    static func fold(_ text: String) -> String {
        text.lowercased()
    }

    /// Whether `value` equals the already folded `pattern` ignoring case.
    static func equals(_ value: String, folded pattern: String) -> Bool {
        compare(value, folded: pattern) { value, pattern in
            value.count == pattern.count && foldedStarts(value, with: pattern, fromEnd: false)
        }
    }

    /// Whether `value` starts with the already folded `pattern` ignoring case.
    static func hasPrefix(_ value: String, folded pattern: String) -> Bool {
        compare(value, folded: pattern) { foldedStarts($0, with: $1, fromEnd: false) }
    }

    /// Whether `value` ends with the already folded `pattern` ignoring case.
    static func hasSuffix(_ value: String, folded pattern: String) -> Bool {
        compare(value, folded: pattern) { foldedStarts($0, with: $1, fromEnd: true) }
    }

    /// Lower-cases one ASCII byte.
    @inline(__always)
    static func lower(_ byte: UInt8) -> UInt8 {
        byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
    }

    /// Whether every byte is ASCII.
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in bytes where byte >= 0x80 {
            return false
        }
        return true
    }

    private static func compare(
        _ value: String,
        folded pattern: String,
        _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Bool
    ) -> Bool {
        let original = value
        var value = value
        var pattern = pattern
        return value.withUTF8 { valueBytes in
            pattern.withUTF8 { patternBytes in
                if isASCII(valueBytes) {
                    return body(valueBytes, patternBytes)
                }
                var folded = original.lowercased()
                return folded.withUTF8 { body($0, patternBytes) }
            }
        }
    }

    /// Compares `pattern` (folded) with the start or end of `value`, lower-casing ASCII in `value`.
    private static func foldedStarts(
        _ value: UnsafeBufferPointer<UInt8>,
        with pattern: UnsafeBufferPointer<UInt8>,
        fromEnd: Bool
    ) -> Bool {
        guard value.count >= pattern.count else {
            return false
        }
        let offset = fromEnd ? value.count - pattern.count : 0
        for index in 0..<pattern.count where lower(value[offset + index]) != pattern[index] {
            return false
        }
        return true
    }
}
