// SPDX-License-Identifier: Apache-2.0

extension TextScan {
    /// Lengths of IBANs by country code, from the IBAN registry (ISO 13616).
    private static let ibanLengths: [UInt16: Int] = {
        let table =
            "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DK18 DO28 EE20 EG29 "
            + "ES24 FI18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 "
            + "LB28 LC32 LI21 LT20 LU20 LV21 MC27 MD24 ME22 MK19 MR27 MT31 MU30 NL18 NO15 PK24 PL28 PS29 PT25 QA29 "
            + "RO24 RS22 SA24 SC31 SE24 SI19 SK24 SM27 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20"
        var lengths: [UInt16: Int] = [:]
        for entry in table.split(separator: " ") {
            let bytes = Array(entry.utf8)
            lengths[UInt16(bytes[0]) << 8 | UInt16(bytes[1])] = Int(String(decoding: bytes[2...], as: UTF8.self))
        }
        return lengths
    }()

    /// A country code, two check digits and the account number, compact or in groups of four,
    /// with the country's length and a mod-97 remainder of 1; returns the end of a match.
    mutating func scanIBAN(at index: Int) -> Int? {
        guard ASCII.isUpper(byte(at: index + 1)), ASCII.isDigit(byte(at: index + 2)), ASCII.isDigit(byte(at: index + 3))
        else {
            return nil
        }
        let country = UInt16(text[index]) << 8 | UInt16(text[index + 1])
        guard let expected = Self.ibanLengths[country] else {
            return nil
        }
        var characters: [UInt8] = []
        characters.reserveCapacity(expected)
        var end = index
        var groupLength = 0
        while end < text.count, characters.count < expected {
            let byte = text[end]
            if ASCII.isUpper(byte) || ASCII.isDigit(byte) {
                characters.append(byte)
                groupLength += 1
                end += 1
            } else if byte == UInt8(ascii: " "), groupLength == 4, end + 1 < text.count, ASCII.isAlnum(text[end + 1]) {
                groupLength = 0
                end += 1
            } else {
                break
            }
        }
        guard characters.count == expected, isWordEnd(end), Self.ibanRemainder(characters) == 1 else {
            return nil
        }
        found.insert(.iban)
        return end
    }

    /// The ISO 7064 mod-97 remainder of an IBAN with its first four characters moved to the end
    /// and letters read as 10–35.
    private static func ibanRemainder(_ characters: [UInt8]) -> Int {
        var remainder = 0
        for offset in 0..<characters.count {
            let byte = characters[(offset + 4) % characters.count]
            if ASCII.isDigit(byte) {
                remainder = (remainder * 10 + Int(byte - UInt8(ascii: "0"))) % 97
            } else {
                remainder = (remainder * 100 + Int(byte - UInt8(ascii: "A")) + 10) % 97
            }
        }
        return remainder
    }
}
