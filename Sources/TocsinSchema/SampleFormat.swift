// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// Recognises the string formats a suggested schema may name.
enum SampleFormat {
    /// The formats from most to least specific; a suggestion names the first every sample has.
    static let precedence = ["date-time", "date", "uuid", "ipv4", "ipv6", "email", "uri"]

    /// The most specific format in `formats`, if any.
    static func preferred(_ formats: Set<String>) -> String? {
        precedence.first { formats.contains($0) }
    }

    /// Every format `text` has.
    static func formats(of text: String) -> Set<String> {
        var found: Set<String> = []
        let bytes = Array(text.utf8)
        if isDateTime(bytes) { found.insert("date-time") }
        if bytes.count == 10 && isDate(bytes[...]) { found.insert("date") }
        if isUUID(bytes) { found.insert("uuid") }
        if let address = IPAddress.parse(text) {
            found.insert(address.isV6 ? "ipv6" : "ipv4")
        }
        if isEmail(text) { found.insert("email") }
        if isURI(bytes) { found.insert("uri") }
        return found
    }

    private static func digits(_ bytes: ArraySlice<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// `YYYY-MM-DD`.
    private static func isDate(_ bytes: ArraySlice<UInt8>) -> Bool {
        let start = bytes.startIndex
        return bytes.count == 10 && digits(bytes[start..<start + 4]) && bytes[start + 4] == UInt8(ascii: "-")
            && digits(bytes[start + 5..<start + 7]) && bytes[start + 7] == UInt8(ascii: "-")
            && digits(bytes[start + 8..<start + 10])
    }

    /// RFC 3339 `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
    private static func isDateTime(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 20, isDate(bytes[0..<10]),
            bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
            digits(bytes[11..<13]), bytes[13] == UInt8(ascii: ":"), digits(bytes[14..<16]),
            bytes[16] == UInt8(ascii: ":"), digits(bytes[17..<19])
        else {
            return false
        }
        var index = 19
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < bytes.count, digits(bytes[index..<index + 1]) { index += 1 }
            guard index > start, index < bytes.count else { return false }
        }
        let zone = bytes[index...]
        if zone.count == 1 {
            return zone.first == UInt8(ascii: "Z") || zone.first == UInt8(ascii: "z")
        }
        let first = zone.startIndex
        return zone.count == 6 && (zone[first] == UInt8(ascii: "+") || zone[first] == UInt8(ascii: "-"))
            && digits(zone[first + 1..<first + 3]) && zone[first + 3] == UInt8(ascii: ":")
            && digits(zone[first + 4..<first + 6])
    }

    /// `8-4-4-4-12` hexadecimal digits.
    private static func isUUID(_ bytes: [UInt8]) -> Bool {
        guard bytes.count == 36 else {
            return false
        }
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == UInt8(ascii: "-") else { return false }
            } else if !(Character(Unicode.Scalar(byte)).isHexDigit) {
                return false
            }
        }
        return true
    }

    /// `local@domain.tld` with no spaces.
    private static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !text.contains(" ") else {
            return false
        }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty }
    }

    /// `scheme:` followed by more text, the scheme a letter then letters, digits, `+`, `-`, `.`.
    private static func isURI(_ bytes: [UInt8]) -> Bool {
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0, colon < bytes.count - 1,
            !bytes.contains(UInt8(ascii: " "))
        else {
            return false
        }
        let scheme = bytes[..<colon]
        guard let first = scheme.first, Character(Unicode.Scalar(first)).isLetter else {
            return false
        }
        return scheme.allSatisfy { byte in
            let character = Character(Unicode.Scalar(byte))
            return character.isASCII && (character.isLetter || character.isNumber || "+-.".contains(character))
        }
    }
}
