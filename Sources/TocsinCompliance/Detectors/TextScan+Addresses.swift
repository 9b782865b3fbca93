// SPDX-License-Identifier: Apache-2.0

import TocsinCore

extension TextScan {
    /// At an `@`: a password in a URL's user information, otherwise an email address.
    mutating func scanAt(_ index: Int) {
        if isPasswordInURL(at: index) {
            found.insert(.passwordInURL)
        } else if isEmail(at: index) {
            found.insert(.email)
        }
    }

    /// `scheme://user:password@host`, with a password that is not already masked (`****`).
    private func isPasswordInURL(at index: Int) -> Bool {
        var start = index
        while start > 0, index - start < 256 {
            let previous = text[start - 1]
            if previous == UInt8(ascii: "/") || previous == UInt8(ascii: "@") || previous <= UInt8(ascii: " ")
                || previous == UInt8(ascii: "\"") || previous == UInt8(ascii: "<")
            {
                break
            }
            start -= 1
        }
        guard start >= 3, hasPrefix("://", at: start - 3), ASCII.isAlnum(byte(at: start - 4)) else {
            return false
        }
        guard let colon = (start..<index).first(where: { text[$0] == UInt8(ascii: ":") }), colon + 1 < index else {
            return false
        }
        let isMasked = (colon + 1..<index).allSatisfy { text[$0] == UInt8(ascii: "*") }
        return !isMasked && ASCII.isAlnum(byte(at: index + 1))
    }

    /// `local@domain.tld`: a local part of up to 64 characters and at least two domain labels, the
    /// last one alphabetic.
    private func isEmail(at index: Int) -> Bool {
        var start = index
        let table = ASCII.table
        while start > 0, index - start < 64, table[Int(text[start - 1])] & (ASCII.alnum | ASCII.localPunctuation) != 0 {
            start -= 1
        }
        guard start < index, text[start] != UInt8(ascii: "."), text[index - 1] != UInt8(ascii: ".") else {
            return false
        }
        // The user name of a URL (`https://alice@example.com/`) is not an address.
        guard start < 3 || !hasPrefix("://", at: start - 3) else {
            return false
        }
        var cursor = index + 1
        var labels = 0
        var lastLabelIsAlphabetic = false
        var lastLabelLength = 0
        while true {
            let labelStart = cursor
            var isAlphabetic = true
            while cursor < text.count, cursor - index < 256 {
                let byte = text[cursor]
                guard ASCII.isAlnum(byte) || byte == UInt8(ascii: "-") else {
                    break
                }
                isAlphabetic = isAlphabetic && (ASCII.isUpper(byte) || ASCII.isLower(byte))
                cursor += 1
            }
            let length = cursor - labelStart
            guard length > 0, length <= 63, text[labelStart] != UInt8(ascii: "-"),
                text[cursor - 1] != UInt8(ascii: "-")
            else {
                return false
            }
            labels += 1
            lastLabelIsAlphabetic = isAlphabetic
            lastLabelLength = length
            guard byte(at: cursor) == UInt8(ascii: "."), ASCII.isAlnum(byte(at: cursor + 1)) else {
                break
            }
            cursor += 1
        }
        return labels >= 2 && lastLabelIsAlphabetic && lastLabelLength >= 2
    }

    /// An IPv6 address literal around a colon or hex digit at `index`, with at least two colons, that
    /// the address parser accepts and that is neither `::` nor `::1`; returns the end of a match.
    @discardableResult
    mutating func scanIPv6(around index: Int) -> Int? {
        guard index >= ipv6ScannedUntil else {
            return nil
        }
        var start = index
        while start > 0, index - start < 45, isIPv6Byte(text[start - 1]) {
            start -= 1
        }
        var end = index
        var colons = 0
        while end < text.count, end - start < 46, isIPv6Byte(text[end]) {
            colons += text[end] == UInt8(ascii: ":") ? 1 : 0
            end += 1
        }
        ipv6ScannedUntil = end
        while end > start, text[end - 1] == UInt8(ascii: ".") {
            end -= 1
        }
        guard colons >= 2, isWordStart(start), isWordEnd(end), end - start <= 45 else {
            return nil
        }
        let slice = UnsafeBufferPointer(rebasing: text[start..<end])
        guard let address = IPAddress.parse(bytes: slice), address.isV6, address.high != 0 || address.low > 1 else {
            return nil
        }
        found.insert(.ipAddress)
        return end
    }

    private func isIPv6Byte(_ byte: UInt8) -> Bool {
        ASCII.isHex(byte) || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".")
    }
}
