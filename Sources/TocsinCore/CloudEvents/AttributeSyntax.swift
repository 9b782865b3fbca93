// SPDX-License-Identifier: Apache-2.0

/// Syntax checks for CloudEvents attribute names and values (CloudEvents 1.0.2 §3 and the type system).
enum AttributeSyntax {
    /// Names use only `a-z` and `0-9`, are not empty, and are not `data`.
    static func isValidName(_ name: String) -> Bool {
        guard !name.isEmpty, name != "data" else {
            return false
        }
        return name.utf8.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || $0 &- 0x30 < 10 }
    }

    /// The String type excludes C0/C1 controls, DEL and Unicode noncharacters.
    static func isValidString(_ value: String) -> Bool {
        for scalar in value.unicodeScalars {
            let v = scalar.value
            if v < 0x20 || (v >= 0x7F && v <= 0x9F) || (v >= 0xFDD0 && v <= 0xFDEF) || v & 0xFFFE == 0xFFFE {
                return false
            }
        }
        return true
    }

    /// RFC 3986 URI-reference: only unreserved, reserved and well-formed `%HH` characters.
    static func isURIReference(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { bytes in
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "%") {
                    guard isEscape(bytes, at: index) else {
                        return false
                    }
                    index += 3
                    continue
                }
                guard uriCharacters.contains(byte) else {
                    return false
                }
                index += 1
            }
            return true
        }
    }

    /// Whether `bytes[index]` starts a well-formed `%HH` escape.
    static func isEscape(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        bytes[index] == UInt8(ascii: "%") && index + 2 < bytes.count && isHex(bytes[index + 1])
            && isHex(bytes[index + 2])
    }

    /// RFC 3986 absolute URI: a scheme, `:`, and a valid remainder with no fragment.
    static func isAbsoluteURI(_ value: String) -> Bool {
        guard isURIReference(value), !value.contains("#"), let colon = value.utf8.firstIndex(of: UInt8(ascii: ":"))
        else {
            return false
        }
        let scheme = value.utf8[value.utf8.startIndex..<colon]
        guard let first = scheme.first, isAlpha(first) else {
            return false
        }
        return scheme.allSatisfy { isAlpha($0) || $0 &- 0x30 < 10 || $0 == 0x2B || $0 == 0x2D || $0 == 0x2E }
    }

    /// RFC 2046 media type: `type/subtype` tokens, then `; name=value` parameters.
    static func isMediaType(_ value: String) -> Bool {
        let parts = value.split(separator: ";", omittingEmptySubsequences: false)
        let essence = parts[0].trimmingSpaces()
        let halves = essence.split(separator: "/", omittingEmptySubsequences: false)
        guard halves.count == 2, isToken(halves[0]), isToken(halves[1]) else {
            return false
        }
        for parameter in parts.dropFirst() {
            let trimmed = parameter.trimmingSpaces()
            guard let equals = trimmed.firstIndex(of: "="), isToken(trimmed[..<equals]) else {
                return false
            }
            let parameterValue = trimmed[trimmed.index(after: equals)...]
            guard
                isToken(parameterValue)
                    || (parameterValue.count >= 2 && parameterValue.first == "\"" && parameterValue.last == "\"")
            else {
                return false
            }
        }
        return true
    }

    private static let uriCharacters = ASCIISet(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;="
    )

    /// RFC 3986 `pchar` without `%`: unreserved, sub-delims, `:` and `@`.
    static func isSegmentCharacter(_ byte: UInt8) -> Bool {
        isAlpha(byte) || byte &- 0x30 < 10 || segmentPunctuation.contains(byte)
    }

    private static let segmentPunctuation = ASCIISet("-._~!$&'()*+,;=:@")

    static func isHex(_ byte: UInt8) -> Bool {
        byte &- 0x30 < 10 || (byte | 0x20) &- UInt8(ascii: "a") < 6
    }

    private static func isAlpha(_ byte: UInt8) -> Bool {
        (byte | 0x20) &- UInt8(ascii: "a") < 26
    }

    private static func isToken(_ text: Substring) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { tokenCharacters.contains($0) }
    }

    private static let tokenCharacters = ASCIISet(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-.^_`|~"
    )
}

/// A set of ASCII bytes as a 128-bit map: membership is two shifts, not a hash.
private struct ASCIISet: Sendable {
    private var low: UInt64 = 0
    private var high: UInt64 = 0

    init(_ characters: String) {
        for byte in characters.utf8 where byte < 128 {
            if byte < 64 {
                low |= 1 << UInt64(byte)
            } else {
                high |= 1 << UInt64(byte - 64)
            }
        }
    }

    func contains(_ byte: UInt8) -> Bool {
        byte < 64 ? low >> UInt64(byte) & 1 == 1 : byte < 128 && high >> UInt64(byte - 64) & 1 == 1
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var text = self
        while text.first == " " || text.first == "\t" {
            text.removeFirst()
        }
        while text.last == " " || text.last == "\t" {
            text.removeLast()
        }
        return text
    }
}
