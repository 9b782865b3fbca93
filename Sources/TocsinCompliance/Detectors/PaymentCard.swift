// SPDX-License-Identifier: Apache-2.0

/// The payment-card checks: issuer ranges by leading digits and length, and the Luhn checksum.
enum PaymentCard {
    /// One issuer range: numbers whose first `digits` digits fall in `range`, with one of `lengths`.
    private struct Range {
        let digits: Int
        let range: ClosedRange<Int>
        let lengths: ClosedRange<Int>
    }

    /// Issuer identification ranges of the major networks (Visa, Mastercard, American Express,
    /// Discover, UnionPay, JCB, Diners Club, Maestro, Mir).
    private static let ranges: [Range] = [
        Range(digits: 1, range: 4...4, lengths: 13...19),
        Range(digits: 2, range: 51...55, lengths: 16...16),
        Range(digits: 4, range: 2221...2720, lengths: 16...16),
        Range(digits: 2, range: 34...34, lengths: 15...15),
        Range(digits: 2, range: 37...37, lengths: 15...15),
        Range(digits: 4, range: 6011...6011, lengths: 16...19),
        Range(digits: 3, range: 644...649, lengths: 16...19),
        Range(digits: 2, range: 65...65, lengths: 16...19),
        Range(digits: 2, range: 62...62, lengths: 16...19),
        Range(digits: 4, range: 3528...3589, lengths: 16...19),
        Range(digits: 3, range: 300...305, lengths: 14...19),
        Range(digits: 2, range: 36...36, lengths: 14...19),
        Range(digits: 2, range: 38...39, lengths: 14...19),
        Range(digits: 4, range: 5018...5018, lengths: 13...19),
        Range(digits: 4, range: 5020...5020, lengths: 13...19),
        Range(digits: 4, range: 5038...5038, lengths: 13...19),
        Range(digits: 4, range: 5893...5893, lengths: 13...19),
        Range(digits: 4, range: 6304...6304, lengths: 13...19),
        Range(digits: 4, range: 6759...6759, lengths: 13...19),
        Range(digits: 4, range: 6761...6763, lengths: 13...19),
        Range(digits: 4, range: 2200...2204, lengths: 16...19),
    ]

    /// Whether a number of `length` digits starting with the six digits `prefix` is in an issuer range.
    static func isIssued(prefix: Int, length: Int) -> Bool {
        for range in ranges {
            var divisor = 1
            for _ in range.digits..<6 {
                divisor *= 10
            }
            if range.range.contains(prefix / divisor), range.lengths.contains(length) {
                return true
            }
        }
        return false
    }

    /// Whether `digits` (values 0–9) pass the Luhn checksum.
    static func passesLuhn(_ digits: [UInt8]) -> Bool {
        var sum = 0
        for (offset, digit) in digits.reversed().enumerated() {
            var value = Int(digit)
            if offset % 2 == 1 {
                value *= 2
                if value > 9 {
                    value -= 9
                }
            }
            sum += value
        }
        return sum % 10 == 0
    }
}
