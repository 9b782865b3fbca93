// SPDX-License-Identifier: Apache-2.0

/// A number written in a pattern, with its comparable value when it has one.
struct NumberLiteral: Sendable, Hashable {
    /// The source text.
    let text: String
    /// The float64 value when the number is comparable (see ``NumberText``), else `nil`.
    let value: Double?

    init(text: String) {
        self.text = text
        self.value = NumberText.comparableValue(text)
    }

    /// Whether an event number with source `text` equals this literal: numerically when both are
    /// comparable, else by identical text.
    func matches(_ text: String) -> Bool {
        if let value, let other = NumberText.comparableValue(text), other == value {
            return true
        }
        return text == self.text
    }
}

/// A `numeric` operator's interval; `=` is the closed interval of one point.
struct NumericRange: Sendable, Hashable {
    var lower: Double?
    var lowerInclusive: Bool
    var upper: Double?
    var upperInclusive: Bool

    func contains(_ value: Double) -> Bool {
        if let lower {
            if lowerInclusive ? value < lower : value <= lower {
                return false
            }
        }
        if let upper {
            if upperInclusive ? value > upper : value >= upper {
                return false
            }
        }
        return true
    }
}
