// SPDX-License-Identifier: Apache-2.0

import TocsinCore
import TocsinRules

/// Turns schema documents into the node arena ``JSONSchema`` evaluates, checking every keyword once.
struct SchemaCompiler {
    /// Keywords that carry no assertion (annotations and identifiers); accepted and not evaluated.
    static let annotationKeywords: Set<String> = [
        "$schema", "$id", "$anchor", "$dynamicAnchor", "$comment", "$defs", "title", "description", "default",
        "examples",
        "deprecated", "readOnly", "writeOnly", "format", "contentEncoding", "contentMediaType", "contentSchema",
    ]

    let documents: SchemaDocuments
    let limits: JSONSchema.Limits
    private(set) var nodes: [SchemaNode] = []
    private var compiled: [SchemaLocation: Int] = [:]
    /// The compiled schemas of dynamic anchors, by `resource-uri#name`.
    private(set) var dynamicAnchors: [String: Int] = [:]
    private var compiledResources: Set<String> = []

    init(documents: SchemaDocuments, limits: JSONSchema.Limits) {
        self.documents = documents
        self.limits = limits
    }

    /// Compiles the schema at `location` and then every dynamic anchor of every schema resource it reaches, so
    /// that `$dynamicRef` can find them in whatever dynamic scope evaluation builds.
    mutating func compileRoot(at location: SchemaLocation) throws(SchemaError) -> Int {
        let root = try compile(at: location, depth: 0)
        var pending = true
        while pending {
            pending = false
            for (key, anchor) in documents.dynamicAnchors.sorted(by: { $0.key < $1.key })
            where dynamicAnchors[key] == nil {
                guard let hash = key.lastIndex(of: "#"), compiledResources.contains(String(key[..<hash])) else {
                    continue
                }
                dynamicAnchors[key] = try compile(at: anchor, depth: 1)
                pending = true
            }
        }
        return root
    }

    /// Compiles the schema at `location` (once; later calls return the same index).
    mutating func compile(at location: SchemaLocation, depth: Int) throws(SchemaError) -> Int {
        if let index = compiled[location] {
            return index
        }
        let place = documents.describe(location)
        guard let value = documents.value(at: location) else {
            throw SchemaError(code: .unresolvedReference, message: "nothing exists at this location", location: place)
        }
        if depth > limits.maxDepth {
            throw SchemaError(
                code: .limitExceeded,
                message: "subschemas nest (or refer to each other) more than \(limits.maxDepth) levels deep; "
                    + "flatten the schema",
                location: place
            )
        }
        if nodes.count >= limits.maxNodes {
            throw SchemaError(
                code: .limitExceeded,
                message: "the schema has more than \(limits.maxNodes) subschemas; split it",
                location: place
            )
        }
        let index = nodes.count
        compiled[location] = index
        switch value {
        case .bool(let flag):
            nodes.append(SchemaNode(location: place, constant: flag))
        case .object(let object):
            nodes.append(SchemaNode(location: place))
            let node = try compileObject(object, at: location, depth: depth)
            nodes[index] = node
        default:
            throw SchemaError(
                code: .invalidKeyword,
                message: "a schema must be an object or a boolean, not \(value.typeName)",
                location: place
            )
        }
        return index
    }

    private mutating func compileObject(
        _ object: JSONObject,
        at location: SchemaLocation,
        depth: Int
    ) throws(SchemaError) -> SchemaNode {
        let node = SchemaNode(location: documents.describe(location))
        var base = documents.inheritedBase(of: location)
        if let id = object["$id"] {
            guard case .string(let text) = id else {
                throw invalid(location, "$id", "must be a string (a URI reference)")
            }
            base = base.resolving(SchemaURI(text)).withoutFragment
        }
        node.resource = base.description
        compiledResources.insert(base.description)
        if let schema = object["$schema"] {
            guard case .string(let uri) = schema, JSONSchema.supportedDialects.contains(uri) else {
                throw SchemaError(
                    code: .unsupportedKeyword,
                    message: "only the draft 2020-12 dialect is supported; set \"$schema\" to "
                        + "\"https://json-schema.org/draft/2020-12/schema\" or remove it",
                    location: documents.describe(location.appending("$schema"))
                )
            }
        }
        let reader = SchemaKeywordReader(documents: documents, location: location)
        for member in object.members {
            let name = member.name
            let value = member.value
            if Self.annotationKeywords.contains(name) || name.hasPrefix("x-") {
                if name == "$defs", case .object(let definitions) = value {
                    for definition in definitions.members {
                        _ = try compile(
                            at: location.appending(name).appending(definition.name),
                            depth: depth + 1
                        )
                    }
                }
                continue
            }
            if let reason = JSONSchema.unsupportedKeywords[name] {
                throw SchemaError(
                    code: .unsupportedKeyword,
                    message: "\"\(name)\" is not supported: \(reason)",
                    location: documents.describe(location.appending(name))
                )
            }
            let child = location.appending(name)
            switch name {
            case "type": node.types = try reader.types(value)
            case "enum": node.enumValues = try reader.array(value, name)
            case "const": node.constValue = value
            case "minimum": node.minimum = try reader.number(value, name)
            case "maximum": node.maximum = try reader.number(value, name)
            case "exclusiveMinimum": node.exclusiveMinimum = try reader.number(value, name)
            case "exclusiveMaximum": node.exclusiveMaximum = try reader.number(value, name)
            case "multipleOf": node.multipleOf = try reader.divisor(value)
            case "minLength": node.minLength = try reader.count(value, name)
            case "maxLength": node.maxLength = try reader.count(value, name)
            case "pattern": node.pattern = try reader.regex(value, name, at: child)
            case "minItems": node.minItems = try reader.count(value, name)
            case "maxItems": node.maxItems = try reader.count(value, name)
            case "minContains": node.minContains = try reader.count(value, name)
            case "maxContains": node.maxContains = try reader.count(value, name)
            case "minProperties": node.minProperties = try reader.count(value, name)
            case "maxProperties": node.maxProperties = try reader.count(value, name)
            case "uniqueItems": node.uniqueItems = try reader.flag(value, name)
            case "required": node.required = try reader.names(value, name)
            case "dependentRequired":
                for (property, list) in try reader.members(value, name) {
                    node.dependentRequired.append((property, try reader.names(list, name)))
                }
            case "$ref":
                guard case .string(let reference) = value else {
                    throw invalid(location, name, "must be a string (a URI reference)")
                }
                guard let target = documents.locate(reference, base: base) else {
                    throw SchemaError(
                        code: .unresolvedReference,
                        message: "\"$ref\" names a schema that is neither in this document nor a bundled remote; "
                            + "define it under \"$defs\" or register the remote schema",
                        location: documents.describe(child)
                    )
                }
                node.reference = try compile(at: target, depth: depth + 1)
            case "$dynamicRef":
                node.dynamicReference = try dynamicReference(value, base: base, at: child, depth: depth)
            case "items": node.items = try compile(at: child, depth: depth + 1)
            case "contains": node.contains = try compile(at: child, depth: depth + 1)
            case "additionalProperties": node.additionalProperties = try compile(at: child, depth: depth + 1)
            case "unevaluatedProperties": node.unevaluatedProperties = try compile(at: child, depth: depth + 1)
            case "unevaluatedItems": node.unevaluatedItems = try compile(at: child, depth: depth + 1)
            case "propertyNames": node.propertyNames = try compile(at: child, depth: depth + 1)
            case "not": node.not = try compile(at: child, depth: depth + 1)
            case "if": node.ifSchema = try compile(at: child, depth: depth + 1)
            case "then": node.thenSchema = try compile(at: child, depth: depth + 1)
            case "else": node.elseSchema = try compile(at: child, depth: depth + 1)
            case "prefixItems": node.prefixItems = try compileList(value, at: child, depth: depth)
            case "allOf": node.allOf = try compileList(value, at: child, depth: depth)
            case "anyOf": node.anyOf = try compileList(value, at: child, depth: depth)
            case "oneOf": node.oneOf = try compileList(value, at: child, depth: depth)
            case "properties":
                for (property, _) in try reader.members(value, name) {
                    node.properties[property] = try compile(at: child.appending(property), depth: depth + 1)
                }
            case "dependentSchemas":
                for (property, _) in try reader.members(value, name) {
                    let schema = try compile(at: child.appending(property), depth: depth + 1)
                    node.dependentSchemas.append((property, schema))
                }
            case "patternProperties":
                for (pattern, _) in try reader.members(value, name) {
                    let regex = try reader.regex(.string(pattern), name, at: child.appending(pattern))
                    node.patternProperties.append((regex, try compile(at: child.appending(pattern), depth: depth + 1)))
                }
            default:
                throw SchemaError(
                    code: .unsupportedKeyword,
                    message: "\"\(name)\" is not a JSON Schema 2020-12 keyword (a typo?); "
                        + "name custom annotations with an \"x-\" prefix",
                    location: documents.describe(child)
                )
            }
        }
        return node
    }

    private mutating func compileList(
        _ value: JSONValue,
        at location: SchemaLocation,
        depth: Int
    ) throws(SchemaError) -> [Int] {
        guard case .array(let elements) = value, !elements.isEmpty else {
            throw SchemaError(
                code: .invalidKeyword,
                message: "must be a non-empty array of schemas",
                location: documents.describe(location)
            )
        }
        var indices: [Int] = []
        for offset in elements.indices {
            indices.append(try compile(at: location.appending(String(offset)), depth: depth + 1))
        }
        return indices
    }

    /// Resolves `$dynamicRef` statically; keeps the anchor name only when the target declares that dynamic anchor.
    private mutating func dynamicReference(
        _ value: JSONValue,
        base: SchemaURI,
        at location: SchemaLocation,
        depth: Int
    ) throws(SchemaError) -> (fallback: Int, anchor: String?) {
        guard case .string(let reference) = value else {
            throw SchemaError(
                code: .invalidKeyword,
                message: "\"$dynamicRef\" must be a string (a URI reference)",
                location: documents.describe(location)
            )
        }
        guard let target = documents.locate(reference, base: base) else {
            throw SchemaError(
                code: .unresolvedReference,
                message: "\"$dynamicRef\" names a schema that is neither in this document nor a bundled remote",
                location: documents.describe(location)
            )
        }
        let fallback = try compile(at: target, depth: depth + 1)
        let fragment = base.resolving(SchemaURI(reference)).fragmentText
        guard !fragment.isEmpty, !fragment.hasPrefix("/"),
            case .string(let declared) = documents.value(at: target)?["$dynamicAnchor"], declared == fragment
        else {
            return (fallback, nil)
        }
        return (fallback, fragment)
    }

    private func invalid(_ location: SchemaLocation, _ keyword: String, _ problem: String) -> SchemaError {
        SchemaError(
            code: .invalidKeyword,
            message: "\"\(keyword)\" \(problem)",
            location: documents.describe(location.appending(keyword))
        )
    }
}
