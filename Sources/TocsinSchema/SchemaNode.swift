// SPDX-License-Identifier: Apache-2.0

import TocsinCore
import TocsinRules

/// The JSON types the `type` keyword names, as a bit set (`integer` is a subset of `number`).
struct SchemaTypes: OptionSet, Sendable, Hashable {
    let rawValue: UInt8

    init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    static let null = SchemaTypes(rawValue: 1 << 0)
    static let boolean = SchemaTypes(rawValue: 1 << 1)
    static let integer = SchemaTypes(rawValue: 1 << 2)
    static let number = SchemaTypes(rawValue: 1 << 3)
    static let string = SchemaTypes(rawValue: 1 << 4)
    static let array = SchemaTypes(rawValue: 1 << 5)
    static let object = SchemaTypes(rawValue: 1 << 6)

    /// The set for one type name, or `nil` for a name JSON Schema does not define.
    init?(name: String) {
        switch name {
        case "null": self = .null
        case "boolean": self = .boolean
        case "integer": self = .integer
        case "number": self = .number
        case "string": self = .string
        case "array": self = .array
        case "object": self = .object
        default: return nil
        }
    }

    /// The type names in the set, for messages.
    var names: [String] {
        let all: [(SchemaTypes, String)] = [
            (.null, "null"), (.boolean, "boolean"), (.integer, "integer"), (.number, "number"),
            (.string, "string"), (.array, "array"), (.object, "object"),
        ]
        return all.filter { contains($0.0) }.map(\.1)
    }
}

/// One compiled schema: a boolean schema, or the checks of an object schema with subschemas as arena indices.
///
/// Indices point into ``JSONSchema``'s node array, so `$ref` cycles are plain integers. A class, so evaluation
/// reads a node through one reference instead of copying its two dozen fields.
// @unchecked Sendable because the compiler is the only writer, and it finishes before the node array is shared.
final class SchemaNode: @unchecked Sendable {
    /// The schema's absolute location, for example `#/properties/a`; violations append the keyword.
    var location: String
    /// `true` or `false` for a boolean schema; `nil` for an object schema.
    var constant: Bool?

    var types: SchemaTypes?
    var enumValues: [JSONValue]?
    var constValue: JSONValue?

    var minimum: SchemaDecimal?
    var maximum: SchemaDecimal?
    var exclusiveMinimum: SchemaDecimal?
    var exclusiveMaximum: SchemaDecimal?
    var multipleOf: SchemaDecimal?

    var minLength: Int?
    var maxLength: Int?
    var pattern: BoundedRegex?

    var prefixItems: [Int] = []
    var items: Int?
    var contains: Int?
    var minContains: Int?
    var maxContains: Int?
    var minItems: Int?
    var maxItems: Int?
    var uniqueItems = false
    var unevaluatedItems: Int?

    /// `properties`, by name (one hash lookup per instance member).
    var properties: [String: Int] = [:]
    var patternProperties: [(regex: BoundedRegex, node: Int)] = []
    var additionalProperties: Int?
    var propertyNames: Int?
    var required: [String] = []
    var dependentRequired: [(name: String, required: [String])] = []
    var dependentSchemas: [(name: String, node: Int)] = []
    var minProperties: Int?
    var maxProperties: Int?
    var unevaluatedProperties: Int?

    var allOf: [Int] = []
    var anyOf: [Int] = []
    var oneOf: [Int] = []
    var not: Int?
    var ifSchema: Int?
    var thenSchema: Int?
    var elseSchema: Int?
    var reference: Int?
    /// `$dynamicRef`: the statically resolved schema, and the anchor name to look up in the dynamic scope when
    /// that schema declares the same `$dynamicAnchor` (otherwise it behaves as `$ref`).
    var dynamicReference: (fallback: Int, anchor: String?)?
    /// The base URI of the schema resource this schema belongs to, which evaluation enters into the dynamic scope.
    var resource = ""

    /// Whether evaluating this node needs its subschemas' evaluated properties and items.
    var needsAnnotations: Bool { unevaluatedItems != nil || unevaluatedProperties != nil }

    /// A placeholder or boolean node at `location`.
    init(location: String, constant: Bool? = nil) {
        self.location = location
        self.constant = constant
    }
}
