// SPDX-License-Identifier: Apache-2.0

extension TextScan {
    /// Classifies the digit run at `index` as a payment card, SSN, IPv4 address or national phone
    /// number; returns the end of the run, matched or not, so no part of a rejected run (an ISBN,
    /// a date) is read again on its own.
    mutating func scanNumber(at index: Int) -> Int {
        let run = DigitRun(text: text, start: index)
        let after = byte(at: run.end)
        if after == UInt8(ascii: ":") || ASCII.isHex(after) {
            // An address that starts here has a colon after at most four hex digits (one that
            // starts before, after a `:` or `.`, is the IPv6 detector's to bound).
            let previous = byte(at: index - 1)
            if hasColonInFirstGroup(from: index) || previous == UInt8(ascii: ":") || previous == UInt8(ascii: ".") {
                return scanIPv6(around: index) ?? skipWord(from: run.end - 1)
            }
            return skipWord(from: run.end - 1)
        }
        guard !ASCII.isAlnum(after) else {
            // The rest of the word starts no detector.
            return skipWord(from: run.end - 1)
        }
        guard !run.hasMixedSeparators else {
            return run.end
        }
        if isPaymentCard(run) {
            found.insert(.paymentCard)
        } else if isSocialSecurityNumber(run) {
            found.insert(.usSSN)
        } else if isIPv4Address(run) {
            found.insert(.ipAddress)
        } else if isNationalPhone(run, areaCodeLength: 0) && !followsISBN(index) {
            found.insert(.phone)
        }
        return run.end
    }

    /// Reads `+` and 8 to 15 digits in groups (E.164, optionally spaced); returns the end of a match.
    mutating func scanInternationalPhone(at index: Int) -> Int? {
        let first = byte(at: index + 1)
        guard isWordStart(index), ASCII.isDigit(first), first != UInt8(ascii: "0") else {
            return nil
        }
        let run = DigitRun(text: text, start: index + 1)
        guard isWordEnd(run.end), (8...15).contains(run.digitCount), !run.hasMixedSeparators,
            !(run.separator == UInt8(ascii: "-") && run.hasGroups([4, 2, 2]))
        else {
            return run.end
        }
        found.insert(.phone)
        return run.end
    }

    /// Reads a national number whose area code is in parentheses, such as `(415) 555-2671` or
    /// `(020) 7946 0958`; returns the end of a match.
    mutating func scanParenthesisedPhone(at index: Int) -> Int? {
        var cursor = index + 1
        while ASCII.isDigit(byte(at: cursor)) {
            cursor += 1
        }
        let areaLength = cursor - index - 1
        guard (2...5).contains(areaLength), byte(at: cursor) == UInt8(ascii: ")") else {
            return nil
        }
        cursor += 1
        if byte(at: cursor) == UInt8(ascii: " ") {
            cursor += 1
        }
        guard ASCII.isDigit(byte(at: cursor)) else {
            return nil
        }
        let run = DigitRun(text: text, start: cursor)
        guard isWordEnd(run.end), !run.hasMixedSeparators else {
            return run.end
        }
        let areaCode = index + 1
        if areaLength == 3, byte(at: areaCode) >= UInt8(ascii: "2"), run.hasGroups([3, 4]) || run.hasGroups([7]),
            byte(at: cursor) >= UInt8(ascii: "2")
        {
            found.insert(.phone)
        } else if byte(at: areaCode) == UInt8(ascii: "0"), isNationalPhone(run, areaCodeLength: areaLength) {
            found.insert(.phone)
        }
        return run.end
    }

    /// Luhn-valid, 13 to 19 digits, grouped as cards are printed, in a known issuer range.
    private func isPaymentCard(_ run: DigitRun) -> Bool {
        guard (13...19).contains(run.digitCount) else {
            return false
        }
        let isGrouped =
            run.groupCount == 1 || run.hasGroups([4, 6, 5]) || run.hasGroups([4, 6, 4])
            || (run.separator != UInt8(ascii: ".")
                && (0..<run.groupCount - 1).allSatisfy { run.length(ofGroup: $0) == 4 }
                && (1...4).contains(run.length(ofGroup: run.groupCount - 1)))
        guard isGrouped else {
            return false
        }
        let digits = run.digits(in: text)
        return PaymentCard.isIssued(prefix: run.prefix(6, in: text), length: digits.count)
            && PaymentCard.passesLuhn(digits)
    }

    /// `ddd-dd-dddd` (or spaced) with an area, group and serial that the SSA issues.
    private func isSocialSecurityNumber(_ run: DigitRun) -> Bool {
        guard run.separator != UInt8(ascii: "."), run.hasGroups([3, 2, 4]) else {
            return false
        }
        let area = run.value(ofGroup: 0, in: text)
        let group = run.value(ofGroup: 1, in: text)
        let serial = run.value(ofGroup: 2, in: text)
        guard area != 0, area != 666, area < 900, group != 0, serial != 0 else {
            return false
        }
        // Numbers the SSA has published as never valid: a wallet-card sample and a well-known placeholder.
        let known = (area, group, serial)
        return known != (78, 5, 1120) && known != (219, 9, 9999) && known != (123, 45, 6789)
    }

    /// Four dot-separated decimal parts of at most 255, other than 0.0.0.0 and the broadcast address.
    private func isIPv4Address(_ run: DigitRun) -> Bool {
        guard run.separator == UInt8(ascii: "."), run.groupCount == 4 else {
            return false
        }
        var isZero = true
        var isBroadcast = true
        for group in 0..<4 {
            guard run.length(ofGroup: group) <= 3 else {
                return false
            }
            let value = run.value(ofGroup: group, in: text)
            guard value <= 255 else {
                return false
            }
            isZero = isZero && value == 0
            isBroadcast = isBroadcast && value == 255
        }
        return !isZero && !isBroadcast
    }

    /// A North American number (`415-555-2671`, `1 415 555 2671`) or a trunk-prefixed national number
    /// (`020 7946 0958`, `01 23 45 67 89`, 10 or 11 digits), always with separators: a bare run of digits is more
    /// often an id or a timestamp than a phone number.
    private func isNationalPhone(_ run: DigitRun, areaCodeLength: Int) -> Bool {
        guard run.groupCount >= 2 || areaCodeLength > 0 else {
            return false
        }
        if areaCodeLength == 0 {
            let northAmerican = run.hasGroups([3, 3, 4]) ? 0 : run.hasGroups([1, 3, 3, 4]) ? 1 : -1
            if northAmerican >= 0 {
                let areaStart = northAmerican == 0 ? run.value(ofGroup: 0, in: text) : run.value(ofGroup: 1, in: text)
                let exchange = run.value(ofGroup: northAmerican + 1, in: text)
                let isTrunkValid = northAmerican == 0 || run.value(ofGroup: 0, in: text) == 1
                return isTrunkValid && areaStart >= 200 && exchange >= 200
            }
            guard byte(at: run.start) == UInt8(ascii: "0"), byte(at: run.start + 1) != UInt8(ascii: "0") else {
                return false
            }
        }
        let total = run.digitCount + areaCodeLength
        guard (10...11).contains(total) else {
            return false
        }
        let firstGroup = areaCodeLength > 0 ? 1 : 0
        return (firstGroup..<run.groupCount).allSatisfy { (2...8).contains(run.length(ofGroup: $0)) }
    }

    /// Whether `ISBN` (any case) appears in the few bytes before `index`.
    private func followsISBN(_ index: Int) -> Bool {
        var cursor = max(0, index - 10)
        while cursor + 4 <= index {
            if ASCII.lowercased(text[cursor]) == UInt8(ascii: "i"),
                ASCII.lowercased(text[cursor + 1]) == UInt8(ascii: "s"),
                ASCII.lowercased(text[cursor + 2]) == UInt8(ascii: "b"),
                ASCII.lowercased(text[cursor + 3]) == UInt8(ascii: "n")
            {
                return true
            }
            cursor += 1
        }
        return false
    }
}
