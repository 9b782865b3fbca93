// SPDX-License-Identifier: Apache-2.0

import TocsinCore
import TocsinRules

extension SchemaEvaluator {
    /// `type`, `enum`, `const`, and the number and string assertions.
    mutating func checkAssertions(_ node: SchemaNode, _ instance: JSONValue) -> Bool {
        var valid = true
        var decimal: SchemaDecimal?
        if case .number(let number) = instance {
            decimal = SchemaDecimal(number)
        }
        if let types = node.types, !Self.instance(instance, decimal, hasOneOf: types) {
            let expected = types.names.joined(separator: " or ")
            report(node, "type", "expected \(expected), found \(instance.typeName)")
            valid = false
        }
        if let constValue = node.constValue, !SchemaEquality.equal(constValue, instance) {
            report(node, "const", "must equal the constant the schema gives")
            valid = false
        }
        if let allowed = node.enumValues, !allowed.contains(where: { SchemaEquality.equal($0, instance) }) {
            report(node, "enum", "must be one of the \(allowed.count) values the schema lists")
            valid = false
        }
        if let decimal {
            valid = checkNumber(node, decimal) && valid
        }
        if case .string(let text) = instance {
            if node.minLength != nil || node.maxLength != nil {
                let length = text.unicodeScalars.count
                if let minLength = node.minLength, length < minLength {
                    report(node, "minLength", "must be at least \(minLength) characters long")
                    valid = false
                }
                if let maxLength = node.maxLength, length > maxLength {
                    report(node, "maxLength", "must be at most \(maxLength) characters long")
                    valid = false
                }
            }
            if let pattern = node.pattern, !pattern.matches(in: text) {
                report(node, "pattern", "must match the regular expression the schema gives")
                valid = false
            }
        }
        return valid
    }

    private static func instance(_ instance: JSONValue, _ decimal: SchemaDecimal?, hasOneOf types: SchemaTypes) -> Bool
    {
        switch instance {
        case .null: types.contains(.null)
        case .bool: types.contains(.boolean)
        case .number: types.contains(.number) || (types.contains(.integer) && decimal?.isInteger == true)
        case .string: types.contains(.string)
        case .array: types.contains(.array)
        case .object: types.contains(.object)
        }
    }

    private mutating func checkNumber(_ node: SchemaNode, _ value: SchemaDecimal) -> Bool {
        var valid = true
        if let minimum = node.minimum, value < minimum {
            report(node, "minimum", "must be at least the schema's minimum")
            valid = false
        }
        if let maximum = node.maximum, maximum < value {
            report(node, "maximum", "must be at most the schema's maximum")
            valid = false
        }
        if let bound = node.exclusiveMinimum, !(bound < value) {
            report(node, "exclusiveMinimum", "must be greater than the schema's exclusive minimum")
            valid = false
        }
        if let bound = node.exclusiveMaximum, !(value < bound) {
            report(node, "exclusiveMaximum", "must be less than the schema's exclusive maximum")
            valid = false
        }
        if let divisor = node.multipleOf, !value.isMultiple(of: divisor) {
            report(node, "multipleOf", "must be a multiple of the schema's multipleOf")
            valid = false
        }
        return valid
    }

    /// The array keywords, `unevaluatedItems` last.
    mutating func applyToItems(_ node: SchemaNode, _ elements: [JSONValue], _ collected: inout SchemaEvaluated?) -> Bool
    {
        var valid = true
        if let minItems = node.minItems, elements.count < minItems {
            report(node, "minItems", "must have at least \(minItems) items")
            valid = false
        }
        if let maxItems = node.maxItems, elements.count > maxItems {
            report(node, "maxItems", "must have at most \(maxItems) items")
            valid = false
        }
        if node.uniqueItems, let duplicate = Self.firstDuplicate(elements) {
            path.append(.index(duplicate))
            report(node, "uniqueItems", "repeats an earlier item; items must be unique")
            path.removeLast()
            valid = false
        }
        let prefixCount = min(node.prefixItems.count, elements.count)
        for index in 0..<prefixCount {
            valid = evaluate(node.prefixItems[index], elements[index], at: .index(index)) && valid
        }
        if let prefix = collected?.itemPrefix {
            collected?.itemPrefix = max(prefix, prefixCount)
        }
        if let items = node.items {
            for index in prefixCount..<max(prefixCount, elements.count) {
                valid = evaluate(items, elements[index], at: .index(index)) && valid
            }
            collected?.itemPrefix = elements.count
        }
        if let contains = node.contains {
            muted += 1
            var matches = 0
            for (index, element) in elements.enumerated() where evaluate(contains, element, at: .index(index)) {
                matches += 1
                collected?.itemIndices.insert(index)
            }
            muted -= 1
            let minimum = node.minContains ?? 1
            if matches < minimum {
                report(
                    node,
                    node.minContains == nil ? "contains" : "minContains",
                    "must contain at least \(minimum) matching items"
                )
                valid = false
            }
            if let maximum = node.maxContains, matches > maximum {
                report(node, "maxContains", "must contain at most \(maximum) matching items")
                valid = false
            }
        }
        if let unevaluated = node.unevaluatedItems {
            let seen = collected ?? SchemaEvaluated()
            for index in seen.itemPrefix..<max(seen.itemPrefix, elements.count) where !seen.itemIndices.contains(index)
            {
                valid = evaluate(unevaluated, elements[index], at: .index(index)) && valid
            }
            collected?.itemPrefix = elements.count
        }
        return valid
    }

    /// The index of the first item equal to an earlier one, in time linear in the array's size.
    private static func firstDuplicate(_ elements: [JSONValue]) -> Int? {
        var seen: Set<[UInt8]> = []
        for (index, element) in elements.enumerated() {
            var key: [UInt8] = []
            SchemaEquality.appendCanonicalKey(element, to: &key)
            if !seen.insert(key).inserted {
                return index
            }
        }
        return nil
    }

    /// The object keywords, `unevaluatedProperties` last.
    mutating func applyToProperties(
        _ node: SchemaNode,
        _ object: JSONObject,
        _ collected: inout SchemaEvaluated?
    ) -> Bool {
        var valid = true
        if let minimum = node.minProperties, object.count < minimum {
            report(node, "minProperties", "must have at least \(minimum) properties")
            valid = false
        }
        if let maximum = node.maxProperties, object.count > maximum {
            report(node, "maxProperties", "must have at most \(maximum) properties")
            valid = false
        }
        for name in node.required where object[name] == nil {
            report(node, "required", "the required property \"\(name)\" is missing")
            valid = false
        }
        for (trigger, names) in node.dependentRequired where object[trigger] != nil {
            for name in names where object[name] == nil {
                report(node, "dependentRequired", "the property \"\(name)\" is required when \"\(trigger)\" is present")
                valid = false
            }
        }
        let properties = node.properties
        let patternProperties = node.patternProperties
        let appliesPerMember =
            !properties.isEmpty || !patternProperties.isEmpty || node.additionalProperties != nil
            || node.propertyNames != nil
        if appliesPerMember {
            for member in object.members {
                if !valid && muted > 0 && collected == nil {
                    return false
                }
                var matched = false
                if let schema = properties[member.name] {
                    matched = true
                    valid = evaluate(schema, member.value, at: .name(member.name)) && valid
                }
                for (regex, schema) in patternProperties where regex.matches(in: member.name) {
                    matched = true
                    valid = evaluate(schema, member.value, at: .name(member.name)) && valid
                }
                if !matched, let additional = node.additionalProperties {
                    matched = true
                    valid = evaluate(additional, member.value, at: .name(member.name)) && valid
                }
                if matched {
                    collected?.properties.insert(member.name)
                }
                if let names = node.propertyNames {
                    valid = evaluate(names, .string(member.name), at: .name(member.name)) && valid
                }
            }
        }
        if let unevaluated = node.unevaluatedProperties {
            let seen = collected?.properties ?? []
            for member in object.members where !seen.contains(member.name) {
                valid = evaluate(unevaluated, member.value, at: .name(member.name)) && valid
                collected?.properties.insert(member.name)
            }
        }
        return valid
    }
}
