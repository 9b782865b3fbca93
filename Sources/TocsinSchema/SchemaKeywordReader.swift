// SPDX-License-Identifier: Apache-2.0

import TocsinCore
import TocsinRules

/// Reads and checks the value of one keyword of the schema object at `location`.
struct SchemaKeywordReader {
    let documents: SchemaDocuments
    let location: SchemaLocation

    private func invalid(_ keyword: String, _ problem: String) -> SchemaError {
        SchemaError(
            code: .invalidKeyword,
            message: "\"\(keyword)\" \(problem)",
            location: documents.describe(location.appending(keyword))
        )
    }

    /// `type`: one type name or a non-empty array of them.
    func types(_ value: JSONValue) throws(SchemaError) -> SchemaTypes {
        var names: [JSONValue] = [value]
        if case .array(let elements) = value, !elements.isEmpty {
            names = elements
        }
        var types: SchemaTypes = []
        for name in names {
            guard case .string(let text) = name, let type = SchemaTypes(name: text) else {
                throw invalid(
                    "type",
                    "must name null, boolean, integer, number, string, array or object (or be an array of them)"
                )
            }
            types.insert(type)
        }
        return types
    }

    /// `enum`: any array.
    func array(_ value: JSONValue, _ keyword: String) throws(SchemaError) -> [JSONValue] {
        guard case .array(let elements) = value else {
            throw invalid(keyword, "must be an array")
        }
        return elements
    }

    /// A numeric bound.
    func number(_ value: JSONValue, _ keyword: String) throws(SchemaError) -> SchemaDecimal {
        guard case .number(let number) = value, let decimal = SchemaDecimal(number) else {
            throw invalid(keyword, "must be a number")
        }
        return decimal
    }

    /// `multipleOf`: a positive number with at most 18 significant digits (so the check stays exact and cheap).
    func divisor(_ value: JSONValue) throws(SchemaError) -> SchemaDecimal {
        let decimal = try number(value, "multipleOf")
        guard !decimal.negative, !decimal.isZero else {
            throw invalid("multipleOf", "must be greater than 0")
        }
        guard decimal.smallSignificand != nil else {
            throw invalid("multipleOf", "may have at most 18 significant digits")
        }
        return decimal
    }

    /// A non-negative integer (`2.0` counts, as the specification allows).
    func count(_ value: JSONValue, _ keyword: String) throws(SchemaError) -> Int {
        guard case .number(let number) = value, let decimal = SchemaDecimal(number), decimal.isInteger,
            !decimal.negative
        else {
            throw invalid(keyword, "must be a non-negative integer")
        }
        guard let significand = decimal.smallSignificand, decimal.exponent < 18 else {
            return Int.max
        }
        var result = Int(clamping: significand)
        for _ in 0..<decimal.exponent {
            result = result.multipliedReportingOverflow(by: 10).overflow ? Int.max : result * 10
        }
        return result
    }

    /// `uniqueItems`.
    func flag(_ value: JSONValue, _ keyword: String) throws(SchemaError) -> Bool {
        guard case .bool(let flag) = value else {
            throw invalid(keyword, "must be true or false")
        }
        return flag
    }

    /// `required` and the lists of `dependentRequired`: an array of unique strings.
    func names(_ value: JSONValue, _ keyword: String) throws(SchemaError) -> [String] {
        guard case .array(let elements) = value else {
            throw invalid(keyword, "must be an array of property names")
        }
        var names: [String] = []
        for element in elements {
            guard case .string(let name) = element, !names.contains(name) else {
                throw invalid(keyword, "must be an array of unique property names (strings)")
            }
            names.append(name)
        }
        return names
    }

    /// The members of an object-valued keyword.
    func members(_ value: JSONValue, _ keyword: String) throws(SchemaError) -> [(String, JSONValue)] {
        guard case .object(let object) = value else {
            throw invalid(keyword, "must be an object")
        }
        return object.members.map { ($0.name, $0.value) }
    }

    /// A regular expression, compiled by the bounded (linear-time) engine.
    func regex(_ value: JSONValue, _ keyword: String, at place: SchemaLocation) throws(SchemaError) -> BoundedRegex {
        guard case .string(let pattern) = value else {
            throw invalid(keyword, "must be a string (a regular expression)")
        }
        do {
            return try BoundedRegex(pattern)
        } catch {
            throw SchemaError(
                code: .invalidKeyword,
                message: "the regular expression is not accepted (\(error)); patterns use the RE2 subset of "
                    + "ECMA-262 and run in linear time, so back-references and look-around are rejected",
                location: documents.describe(place)
            )
        }
    }
}
