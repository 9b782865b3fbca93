// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// Infers a draft 2020-12 schema from observed event payloads, as a starting point for registering one.
///
/// Types are merged across samples (`integer` widens to `number`), object properties present in every sample
/// become `required`, string formats (`date-time`, `date`, `email`, `ipv4`, `ipv6`, `uuid`, `uri`) are suggested
/// when every sample has that form, and arrays get one `items` schema merged from all their elements. The
/// suggestion never contains sample values, so it is safe to show to anyone who may read the type's schema.
public struct SchemaSuggestion: Sendable {
    /// The deepest nesting described; deeper values are left unconstrained.
    public var maxDepth: Int
    /// The most properties described per object (the most frequent are kept).
    public var maxProperties: Int

    /// Creates a suggester.
    public init(maxDepth: Int = 16, maxProperties: Int = 200) {
        self.maxDepth = maxDepth
        self.maxProperties = maxProperties
    }

    /// The suggested schema for `samples` (an empty list gives the schema `true`).
    public func suggest(from samples: [JSONValue]) -> JSONValue {
        guard !samples.isEmpty else {
            return .bool(true)
        }
        let shape = SampleShape()
        for sample in samples {
            shape.add(sample, depth: 0, limits: self)
        }
        var schema = shape.schema(limits: self)
        if case .object(var object) = schema {
            object.members.insert(
                JSONObject.Member(name: "$schema", value: .string("https://json-schema.org/draft/2020-12/schema")),
                at: 0
            )
            schema = .object(object)
        }
        return schema
    }
}

/// What the samples seen at one position have in common.
private final class SampleShape {
    var count = 0
    var types: SchemaTypes = []
    var formats: Set<String>?
    var properties: [String: SampleShape] = [:]
    var propertyOrder: [String] = []
    var objectCount = 0
    var items: SampleShape?

    func add(_ value: JSONValue, depth: Int, limits: SchemaSuggestion) {
        count += 1
        switch value {
        case .null: types.insert(.null)
        case .bool: types.insert(.boolean)
        case .number(let number):
            types.insert(SchemaDecimal(number)?.isInteger == true ? .integer : .number)
        case .string(let text):
            types.insert(.string)
            let found = SampleFormat.formats(of: text)
            formats = formats.map { $0.intersection(found) } ?? found
        case .array(let elements):
            types.insert(.array)
            guard depth < limits.maxDepth else {
                return
            }
            let shape = items ?? SampleShape()
            items = shape
            for element in elements {
                shape.add(element, depth: depth + 1, limits: limits)
            }
        case .object(let object):
            types.insert(.object)
            objectCount += 1
            guard depth < limits.maxDepth else {
                return
            }
            for member in object.members {
                if properties[member.name] == nil {
                    properties[member.name] = SampleShape()
                    propertyOrder.append(member.name)
                }
                properties[member.name]?.add(member.value, depth: depth + 1, limits: limits)
            }
        }
    }

    func schema(limits: SchemaSuggestion) -> JSONValue {
        var members: [JSONObject.Member] = []
        var typeSet = types
        if typeSet.contains(.number) {
            typeSet.remove(.integer)
        }
        let names = typeSet.names.map { JSONValue.string($0) }
        if names.count == 1 {
            members.append(.init(name: "type", value: names[0]))
        } else if !names.isEmpty {
            members.append(.init(name: "type", value: .array(names)))
        }
        if types == .string, let format = formats.flatMap(SampleFormat.preferred) {
            members.append(.init(name: "format", value: .string(format)))
        }
        if types.contains(.object) && !properties.isEmpty {
            let kept = propertyOrder.sorted { (properties[$0]?.count ?? 0) > (properties[$1]?.count ?? 0) }
                .prefix(limits.maxProperties)
            let keptSet = Set(kept)
            let ordered = propertyOrder.filter { keptSet.contains($0) }
            members.append(
                .init(
                    name: "properties",
                    value: .object(
                        JSONObject(
                            ordered.map {
                                .init(name: $0, value: properties[$0]?.schema(limits: limits) ?? .bool(true))
                            }
                        )
                    )
                )
            )
            let required = ordered.filter { properties[$0]?.count == objectCount }
            if !required.isEmpty {
                members.append(.init(name: "required", value: .array(required.map { .string($0) })))
            }
        }
        if let items, items.count > 0 {
            members.append(.init(name: "items", value: items.schema(limits: limits)))
        }
        return .object(JSONObject(members))
    }
}
