// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// A JSON number as an exact decimal: sign × digits × 10^exponent, with no leading or trailing zero digits.
///
/// Built from the number's source text, so `0.1`, `1e-1` and `10e-2` are equal, `1.0` is an integer, and
/// comparisons never round (`9007199254740993 > 9007199254740992`, which IEEE 754 doubles get wrong).
struct SchemaDecimal: Sendable, Hashable, Comparable {
    /// Whether the value is below zero (never set for zero).
    let negative: Bool
    /// Significant digits (ASCII `0`–`9`), most significant first; empty for zero.
    let digits: [UInt8]
    /// The power of ten the last digit stands for.
    let exponent: Int

    /// The decimal for JSON number text; `nil` when the text is not a JSON number.
    init?(_ text: String) {
        var digits: [UInt8] = []
        var exponent = 0
        var negative = false
        var seenPoint = false
        var bytes = Substring(text).utf8[...]
        if bytes.first == UInt8(ascii: "-") {
            negative = true
            bytes = bytes.dropFirst()
        }
        var exponentText: Substring.UTF8View.SubSequence?
        for (offset, byte) in zip(bytes.indices, bytes) {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if !(digits.isEmpty && byte == UInt8(ascii: "0")) {
                    digits.append(byte)
                }
                if seenPoint {
                    exponent -= 1
                }
            case UInt8(ascii: "."):
                seenPoint = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                exponentText = bytes[bytes.index(after: offset)...]
            default:
                return nil
            }
            if exponentText != nil {
                break
            }
        }
        if let exponentText {
            exponent = exponent.addingSaturating(Self.saturatingExponent(exponentText))
        }
        while digits.last == UInt8(ascii: "0") {
            digits.removeLast()
            exponent = exponent.addingSaturating(1)
        }
        self.negative = negative && !digits.isEmpty
        self.digits = digits
        self.exponent = digits.isEmpty ? 0 : exponent
    }

    /// The decimal for a JSON number value.
    init?(_ number: JSONNumber) {
        self.init(number.text)
    }

    private static func saturatingExponent(_ text: Substring.UTF8View.SubSequence) -> Int {
        var sign = 1
        var rest = text
        if let first = rest.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            sign = first == UInt8(ascii: "-") ? -1 : 1
            rest = rest.dropFirst()
        }
        var value = 0
        for byte in rest {
            value = value.multipliedSaturating(10).addingSaturating(Int(byte &- UInt8(ascii: "0")))
        }
        return sign * value
    }

    /// Whether the value is zero.
    var isZero: Bool { digits.isEmpty }

    /// Whether the value is a whole number (`1.0` and `1e2` are).
    var isInteger: Bool { exponent >= 0 }

    /// The position of the most significant digit plus one, the value's order of magnitude.
    private var magnitude: Int { exponent.addingSaturating(digits.count) }

    static func < (lhs: SchemaDecimal, rhs: SchemaDecimal) -> Bool {
        if lhs.negative != rhs.negative {
            return lhs.negative
        }
        let absoluteLess = compareMagnitude(lhs, rhs)
        return lhs.negative ? absoluteLess == .greater : absoluteLess == .less
    }

    private enum Order { case less, equal, greater }

    private static func compareMagnitude(_ lhs: SchemaDecimal, _ rhs: SchemaDecimal) -> Order {
        if lhs.isZero || rhs.isZero {
            return lhs.isZero == rhs.isZero ? .equal : (lhs.isZero ? .less : .greater)
        }
        if lhs.magnitude != rhs.magnitude {
            return lhs.magnitude < rhs.magnitude ? .less : .greater
        }
        for index in 0..<max(lhs.digits.count, rhs.digits.count) {
            let left = index < lhs.digits.count ? lhs.digits[index] : UInt8(ascii: "0")
            let right = index < rhs.digits.count ? rhs.digits[index] : UInt8(ascii: "0")
            if left != right {
                return left < right ? .less : .greater
            }
        }
        return .equal
    }

    /// The divisor's digits as an integer, when it has at most 18 significant digits.
    var smallSignificand: UInt64? {
        guard digits.count <= 18 else {
            return nil
        }
        return digits.reduce(UInt64(0)) { $0 * 10 + UInt64($1 - UInt8(ascii: "0")) }
    }

    /// Whether `self / divisor` is an integer, computed exactly.
    ///
    /// - Parameter divisor: A positive decimal whose significand has at most 18 digits
    ///   (``smallSignificand`` is not `nil`); the compiler rejects other `multipleOf` values.
    /// - Returns: `true` when the quotient is a whole number (always for zero).
    func isMultiple(of divisor: SchemaDecimal) -> Bool {
        guard !isZero else {
            return true
        }
        guard let modulus = divisor.smallSignificand, modulus > 0 else {
            return false
        }
        // self = A × 10^ea and divisor = B × 10^eb, with A and B free of trailing zeros. When ea < eb the
        // quotient needs A divisible by 10, which a significand without trailing zeros never is.
        if exponent < divisor.exponent {
            return false
        }
        var remainder: UInt64 = 0
        for digit in digits {
            remainder = Self.multiplyModulo(remainder, 10, modulus)
            remainder = (remainder + UInt64(digit - UInt8(ascii: "0"))) % modulus
        }
        let scale = Self.powerOfTenModulo(exponent - divisor.exponent, modulus)
        return Self.multiplyModulo(remainder, scale, modulus) == 0
    }

    private static func multiplyModulo(_ lhs: UInt64, _ rhs: UInt64, _ modulus: UInt64) -> UInt64 {
        let product = lhs.multipliedFullWidth(by: rhs)
        return modulus.dividingFullWidth((product.high, product.low)).remainder
    }

    private static func powerOfTenModulo(_ power: Int, _ modulus: UInt64) -> UInt64 {
        var result: UInt64 = 1 % modulus
        var base: UInt64 = 10 % modulus
        var power = power
        while power > 0 {
            if power & 1 == 1 {
                result = multiplyModulo(result, base, modulus)
            }
            base = multiplyModulo(base, base, modulus)
            power >>= 1
        }
        return result
    }
}

extension Int {
    fileprivate func addingSaturating(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }

    fileprivate func multipliedSaturating(_ other: Int) -> Int {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? .max : product
    }
}
