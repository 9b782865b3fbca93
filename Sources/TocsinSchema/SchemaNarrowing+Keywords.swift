// SPDX-License-Identifier: Apache-2.0

import TocsinCore

extension SchemaNarrowing {
    private static func decimal(_ schema: JSONObject, _ keyword: String) -> SchemaDecimal? {
        if case .number(let number) = schema[keyword] {
            return SchemaDecimal(number)
        }
        return nil
    }

    /// Numeric, length and count bounds: a lower bound that rose, an upper bound that fell, or one that appeared.
    mutating func compareBounds(_ old: JSONObject, _ new: JSONObject, _ location: String) {
        for keyword in ["minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"] {
            guard let bound = Self.decimal(new, keyword) else {
                continue
            }
            if let previous = Self.decimal(old, keyword) {
                if previous < bound {
                    add(
                        location + "/" + keyword,
                        keyword,
                        "\(keyword) raised from \(Self.text(previous)) to \(Self.text(bound))"
                    )
                }
            } else if !(bound.isZero && keyword.hasPrefix("min") && keyword != "minimum") {
                add(location + "/" + keyword, keyword, "\(keyword) \(Self.text(bound)) was added")
            }
        }
        for keyword in ["maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"] {
            guard let bound = Self.decimal(new, keyword) else {
                continue
            }
            if let previous = Self.decimal(old, keyword) {
                if bound < previous {
                    add(
                        location + "/" + keyword,
                        keyword,
                        "\(keyword) lowered from \(Self.text(previous)) to \(Self.text(bound))"
                    )
                }
            } else {
                add(location + "/" + keyword, keyword, "\(keyword) \(Self.text(bound)) was added")
            }
        }
        if let divisor = Self.decimal(new, "multipleOf") {
            let previous = Self.decimal(old, "multipleOf")
            if previous.map({ !$0.isMultiple(of: divisor) }) ?? true {
                add(location + "/multipleOf", "multipleOf", "multipleOf \(Self.text(divisor)) was added or changed")
            }
        }
    }

    private static func text(_ decimal: SchemaDecimal) -> String {
        var digits = decimal.digits.isEmpty ? "0" : String(decoding: decimal.digits, as: UTF8.self)
        let sign = decimal.negative ? "-" : ""
        if decimal.exponent >= 0 && decimal.exponent <= 20 {
            digits += String(repeating: "0", count: decimal.isZero ? 0 : decimal.exponent)
            return sign + digits
        }
        if decimal.exponent < 0 && decimal.exponent >= -20 {
            let padded = String(repeating: "0", count: max(0, -decimal.exponent - digits.count + 1)) + digits
            let point = padded.index(padded.endIndex, offsetBy: decimal.exponent)
            return sign + padded[..<point] + "." + padded[point...]
        }
        return sign + digits + "e\(decimal.exponent)"
    }

    /// `required`, `properties` and `additionalProperties`, recursing into each property's schema.
    mutating func compareObjects(_ old: JSONObject, _ new: JSONObject, _ location: String) {
        let oldRequired = Self.names(old["required"])
        for name in Self.names(new["required"]) where !oldRequired.contains(name) {
            add(location + "/required", "required", "new required property \"\(name)\"")
        }
        let oldProperties = Self.members(old["properties"])
        let newProperties = Self.members(new["properties"])
        let oldAdditional = old["additionalProperties"] ?? .bool(true)
        let newAdditional = new["additionalProperties"] ?? .bool(true)
        var names = oldProperties.map(\.name)
        names += newProperties.map(\.name).filter { !names.contains($0) }
        for name in names {
            let before = oldProperties.first { $0.name == name }?.value ?? oldAdditional
            let after = newProperties.first { $0.name == name }?.value ?? newAdditional
            compare(accepted: before, candidate: after, at: location + "/properties/" + SchemaPointer.escape(name))
        }
        compare(accepted: oldAdditional, candidate: newAdditional, at: location + "/additionalProperties")
    }

    /// `items`, `prefixItems` and `uniqueItems`.
    mutating func compareArrays(_ old: JSONObject, _ new: JSONObject, _ location: String) {
        let oldItems = old["items"] ?? .bool(true)
        let newItems = new["items"] ?? .bool(true)
        let oldPrefix = Self.elements(old["prefixItems"])
        let newPrefix = Self.elements(new["prefixItems"])
        for index in 0..<max(oldPrefix.count, newPrefix.count) {
            let before = index < oldPrefix.count ? oldPrefix[index] : oldItems
            let after = index < newPrefix.count ? newPrefix[index] : newItems
            compare(accepted: before, candidate: after, at: location + "/prefixItems/\(index)")
        }
        compare(accepted: oldItems, candidate: newItems, at: location + "/items")
        if new["uniqueItems"] == .bool(true) && old["uniqueItems"] != .bool(true) {
            add(location + "/uniqueItems", "uniqueItems", "items must now be unique")
        }
    }

    private static func names(_ value: JSONValue?) -> [String] {
        guard case .array(let elements) = value else {
            return []
        }
        return elements.compactMap(\.stringValue)
    }

    private static func members(_ value: JSONValue?) -> [JSONObject.Member] {
        guard case .object(let object) = value else {
            return []
        }
        return object.members
    }

    private static func elements(_ value: JSONValue?) -> [JSONValue] {
        guard case .array(let elements) = value else {
            return []
        }
        return elements
    }
}
