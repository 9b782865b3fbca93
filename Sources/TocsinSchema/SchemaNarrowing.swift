// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// Finds where a candidate schema rejects values that an accepted schema allows.
struct SchemaNarrowing {
    /// Keywords compared structurally; a difference in any other assertion keyword cannot be proved compatible.
    private static let understood: Set<String> = [
        "type", "properties", "required", "additionalProperties", "enum", "const", "minimum", "maximum",
        "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "minItems", "maxItems",
        "minProperties", "maxProperties", "items", "prefixItems", "uniqueItems",
    ]

    let direction: SchemaCompatibilityMode
    private(set) var changes: [SchemaChange] = []

    init(direction: SchemaCompatibilityMode) {
        self.direction = direction
    }

    mutating func add(_ location: String, _ keyword: String, _ message: String) {
        changes.append(SchemaChange(direction: direction, location: location, keyword: keyword, message: message))
    }

    /// Records every way `candidate` is stricter than `accepted`, at schema pointer `location`.
    mutating func compare(accepted: JSONValue, candidate: JSONValue, at location: String) {
        // Nothing is stricter than `true`, `false` accepts nothing to lose, and equal schemas accept the same.
        if case .bool(false) = accepted {
            return
        }
        if candidate == .bool(true) || candidate == .object(JSONObject()) || SchemaEquality.equal(accepted, candidate) {
            return
        }
        let old = Self.object(accepted) ?? JSONObject()
        guard let new = Self.object(candidate) else {
            add(location, "false", "the schema became false: every value is rejected")
            return
        }
        compareTypes(old, new, location)
        compareValues(old, new, location)
        compareBounds(old, new, location)
        compareObjects(old, new, location)
        compareArrays(old, new, location)
        for member in new.members where !Self.understood.contains(member.name) {
            guard !SchemaCompiler.annotationKeywords.contains(member.name), !member.name.hasPrefix("x-") else {
                continue
            }
            if let previous = old[member.name], SchemaEquality.equal(previous, member.value) {
                continue
            }
            add(
                location + "/" + SchemaPointer.escape(member.name),
                member.name,
                "\"\(member.name)\" was added or changed; compatibility cannot be proved"
            )
        }
    }

    /// `true` and `{}` as an empty object; `false` as `nil`.
    private static func object(_ schema: JSONValue) -> JSONObject? {
        switch schema {
        case .object(let object): object
        case .bool(true): JSONObject()
        default: nil
        }
    }

    private static func types(_ schema: JSONObject) -> SchemaTypes? {
        guard let value = schema["type"] else {
            return nil
        }
        let names: [JSONValue] = if case .array(let list) = value { list } else { [value] }
        var types: SchemaTypes = []
        for case .string(let name) in names {
            if let type = SchemaTypes(name: name) {
                types.insert(type)
            }
        }
        return types
    }

    private mutating func compareTypes(_ old: JSONObject, _ new: JSONObject, _ location: String) {
        guard let newTypes = Self.types(new) else {
            return
        }
        var allowed = newTypes
        if allowed.contains(.number) {
            allowed.insert(.integer)
        }
        let oldTypes = Self.types(old) ?? [.null, .boolean, .number, .integer, .string, .array, .object]
        let lost = oldTypes.subtracting(allowed)
        if !lost.isEmpty {
            let before = Self.types(old).map { $0.names.joined(separator: ", ") } ?? "any"
            add(
                location + "/type",
                "type",
                "type narrowed from \(before) to \(newTypes.names.joined(separator: ", ")) (\(lost.names.joined(separator: ", ")) no longer accepted)"
            )
        }
    }

    private mutating func compareValues(_ old: JSONObject, _ new: JSONObject, _ location: String) {
        if let newEnum = new["enum"], case .array(let newValues) = newEnum {
            if case .array(let oldValues) = old["enum"] {
                let removed = oldValues.filter { value in !newValues.contains { SchemaEquality.equal($0, value) } }
                if !removed.isEmpty {
                    let names = removed.map { JSONWriter().string($0) }.joined(separator: ", ")
                    add(location + "/enum", "enum", "enum values removed: \(names)")
                }
            } else if old["const"] == nil {
                add(location + "/enum", "enum", "an enum was added: only \(newValues.count) values are accepted")
            }
        }
        if let newConst = new["const"] {
            if let oldConst = old["const"] {
                if !SchemaEquality.equal(oldConst, newConst) {
                    add(location + "/const", "const", "the constant changed")
                }
            } else {
                add(location + "/const", "const", "a constant was added: only one value is accepted")
            }
        }
    }
}
