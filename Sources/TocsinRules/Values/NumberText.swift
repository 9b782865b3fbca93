// SPDX-License-Identifier: Apache-2.0

/// Number semantics of the pattern language, computed from a number's source text.
///
/// A number is *comparable* when its exact decimal value equals the shortest round-trip decimal of
/// the nearest float64 (what event-ruler checks with `BigDecimal`). Comparable numbers compare by
/// value; the others only by identical text. Anything with at most 15 significant digits in the
/// normal float64 range is comparable, which this checks without allocating; the rare rest takes
/// an exact decimal comparison.
enum NumberText {
    /// The float64 value of `text` when the number is comparable, else `nil`.
    static func comparableValue(_ text: String) -> Double? {
        guard let value = Double(text), value.isFinite else {
            return nil
        }
        var significant = 0
        var pendingZeros = 0
        var seenNonZero = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                break
            }
            if byte == UInt8(ascii: "0") {
                if seenNonZero {
                    pendingZeros += 1
                }
            } else if byte >= UInt8(ascii: "1") && byte <= UInt8(ascii: "9") {
                significant += pendingZeros + 1
                pendingZeros = 0
                seenNonZero = true
            }
        }
        if !seenNonZero {
            return 0
        }
        if significant <= 15 && value.isNormal {
            return value
        }
        guard value != 0, let exact = ExactDecimal(text), let shortest = ExactDecimal(value.description) else {
            return nil
        }
        return exact == shortest ? value : nil
    }

    /// An exact decimal as sign, significant digits and exponent (value = 0.digits × 10^exponent).
    struct ExactDecimal: Equatable {
        var negative: Bool
        var digits: [UInt8]
        var exponent: Int

        /// Reads JSON-style number text (also Swift's `1e+16` form); `nil` when it is not a number.
        init?(_ text: String) {
            var negative = false
            var digits: [UInt8] = []
            var pointPosition: Int?
            var exponent = 0
            var bytes = text.utf8.makeIterator()
            var byte = bytes.next()
            if byte == UInt8(ascii: "-") {
                negative = true
                byte = bytes.next()
            }
            while let current = byte, current != UInt8(ascii: "e"), current != UInt8(ascii: "E") {
                if current == UInt8(ascii: ".") {
                    pointPosition = digits.count
                } else if current >= UInt8(ascii: "0") && current <= UInt8(ascii: "9") {
                    digits.append(current)
                } else {
                    return nil
                }
                byte = bytes.next()
            }
            if byte != nil {
                var exponentNegative = false
                var part = bytes.next()
                if part == UInt8(ascii: "-") || part == UInt8(ascii: "+") {
                    exponentNegative = part == UInt8(ascii: "-")
                    part = bytes.next()
                }
                while let current = part {
                    guard current >= UInt8(ascii: "0") && current <= UInt8(ascii: "9") else {
                        return nil
                    }
                    exponent = min(exponent * 10 + Int(current - UInt8(ascii: "0")), 1_000_000)
                    part = bytes.next()
                }
                if exponentNegative {
                    exponent = -exponent
                }
            }
            var integerDigits = pointPosition ?? digits.count
            while let first = digits.first, first == UInt8(ascii: "0") {
                digits.removeFirst()
                integerDigits -= 1
            }
            while let last = digits.last, last == UInt8(ascii: "0") {
                digits.removeLast()
            }
            self.negative = negative && !digits.isEmpty
            self.digits = digits
            self.exponent = digits.isEmpty ? 0 : integerDigits + exponent
        }
    }
}
