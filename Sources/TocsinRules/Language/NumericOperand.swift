// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// Reads a `numeric` operand: `[op, n]` or `[">" | ">=", low, "<" | "<=", high]` (spec section 5).
enum NumericOperand {
    private static let usage =
        "numeric takes one comparison such as [\">\", 0] or a range such as [\">=\", 0, \"<\", 100]"

    static func read(_ operand: JSONValue, path: String) throws(PatternError) -> NumericRange {
        guard case .array(let terms) = operand, !terms.isEmpty else {
            throw failure(path, usage)
        }
        guard terms.count == 2 || terms.count == 4 else {
            throw failure(path, "\(usage); got \(terms.count) elements")
        }
        let first = try comparison(terms, at: 0, path: path)
        if terms.count == 2 {
            switch first.op {
            case "=":
                return NumericRange(lower: first.value, lowerInclusive: true, upper: first.value, upperInclusive: true)
            case ">", ">=":
                return NumericRange(
                    lower: first.value,
                    lowerInclusive: first.op == ">=",
                    upper: nil,
                    upperInclusive: false
                )
            default:
                return NumericRange(
                    lower: nil,
                    lowerInclusive: false,
                    upper: first.value,
                    upperInclusive: first.op == "<="
                )
            }
        }
        let second = try comparison(terms, at: 2, path: path)
        if first.op == "=" || second.op == "=" {
            throw failure(path, "'=' cannot be combined with another comparison; use [\"=\", n] alone")
        }
        guard first.op == ">" || first.op == ">=" else {
            throw failure(path, "numeric: lower bound must come first, as in [\">\", 0, \"<=\", 5]")
        }
        guard second.op == "<" || second.op == "<=" else {
            throw failure(path, "numeric: a range needs a lower bound (> or >=) followed by an upper bound (< or <=)")
        }
        guard first.value < second.value else {
            throw failure(
                path,
                "numeric: the lower bound must be less than the upper bound; for one value use [\"=\", n]"
            )
        }
        return NumericRange(
            lower: first.value,
            lowerInclusive: first.op == ">=",
            upper: second.value,
            upperInclusive: second.op == "<="
        )
    }

    private static func comparison(
        _ terms: [JSONValue],
        at index: Int,
        path: String
    ) throws(PatternError) -> (op: String, value: Double) {
        guard case .string(let op) = terms[index], ["=", "<", "<=", ">", ">="].contains(op) else {
            throw failure("\(path)[\(index)]", "numeric: expected a comparison operator: =, <, <=, > or >=")
        }
        guard case .number(let number) = terms[index + 1] else {
            throw failure(
                "\(path)[\(index + 1)]",
                "numeric: the operand after '\(op)' must be a JSON number (not a string)"
            )
        }
        guard let value = NumberText.comparableValue(number.text) else {
            throw failure(
                "\(path)[\(index + 1)]",
                "numeric: the operand cannot be compared exactly as a float64 (more than 15 significant digits or out of range)"
            )
        }
        return (op, value)
    }

    private static func failure(_ path: String, _ message: String) -> PatternError {
        PatternError(code: .invalidNumeric, path: path, message: message)
    }
}
