// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// A position in one of the schema documents: which document, and the JSON pointer inside it.
struct SchemaLocation: Sendable, Hashable {
    var document: Int
    var pointer: String

    /// The location of the member `name` (or array index) below this one.
    func appending(_ token: String) -> SchemaLocation {
        SchemaLocation(document: document, pointer: pointer + "/" + SchemaPointer.escape(token))
    }
}

/// RFC 6901 JSON pointer helpers.
enum SchemaPointer {
    /// Escapes one reference token (`~` → `~0`, `/` → `~1`).
    static func escape(_ token: String) -> String {
        guard token.contains("~") || token.contains("/") else {
            return token
        }
        return token.replacing("~", with: "~0").replacing("/", with: "~1")
    }

    /// The value at `pointer` below `root`, or `nil` when a step does not exist.
    static func resolve(_ pointer: String, in root: JSONValue) -> JSONValue? {
        var current = root
        for rawToken in pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            let token = String(rawToken).replacing("~1", with: "/").replacing("~0", with: "~")
            switch current {
            case .object(let object):
                guard let next = object[token] else {
                    return nil
                }
                current = next
            case .array(let elements):
                guard let index = Int(token), index >= 0, index < elements.count,
                    token == "0" || !token.hasPrefix("0")
                else {
                    return nil
                }
                current = elements[index]
            default:
                return nil
            }
        }
        return current
    }

    /// Decodes `%XX` escapes in a URI fragment; `nil` for a malformed escape or invalid UTF-8.
    static func percentDecoded(_ text: String) -> String? {
        guard text.contains("%") else {
            return text
        }
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next(), let low = iterator.next(),
                    let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
                else {
                    return nil
                }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

/// The schema documents (the root and the bundled remotes) with every resource (`$id`) and anchor
/// (`$anchor`) they declare, found by walking the keywords that hold subschemas.
struct SchemaDocuments: Sendable {
    /// Keywords whose value is one subschema.
    static let singleSubschemaKeywords: Set<String> = [
        "additionalProperties", "unevaluatedProperties", "items", "unevaluatedItems", "contains",
        "propertyNames", "not", "if", "then", "else", "contentSchema",
    ]
    /// Keywords whose value is an array of subschemas.
    static let arraySubschemaKeywords: Set<String> = ["allOf", "anyOf", "oneOf", "prefixItems"]
    /// Keywords whose value is an object of subschemas.
    static let mapSubschemaKeywords: Set<String> = ["properties", "patternProperties", "$defs", "dependentSchemas"]

    /// Each document's retrieval URI and content; the root is document 0.
    private(set) var documents: [(uri: SchemaURI, root: JSONValue)] = []
    /// Schema resources by absolute URI without fragment.
    private(set) var resources: [String: SchemaLocation] = [:]
    /// Anchors by `absolute-uri#name`.
    private(set) var anchors: [String: SchemaLocation] = [:]
    /// Dynamic anchors (`$dynamicAnchor`) by `absolute-uri#name`, apart from plain anchors so that an `$anchor`
    /// of the same name never takes part in dynamic resolution.
    private(set) var dynamicAnchors: [String: SchemaLocation] = [:]
    /// For every schema found by the walk, the base URI it inherits from its parent (before its own `$id`).
    private(set) var inheritedBases: [SchemaLocation: SchemaURI] = [:]

    /// Adds a document retrieved from `uri` and registers what it declares.
    mutating func add(_ root: JSONValue, uri: SchemaURI) {
        let index = documents.count
        documents.append((uri, root))
        let location = SchemaLocation(document: index, pointer: "")
        resources[uri.withoutFragment.description] = location
        scan(root, at: location, inheritedBase: uri.withoutFragment)
    }

    /// The text of `location` for messages: `#/pointer` in the root document, `uri#/pointer` elsewhere.
    func describe(_ location: SchemaLocation) -> String {
        let prefix = location.document == 0 ? "" : documents[location.document].uri.withoutFragment.description
        return prefix + "#" + location.pointer
    }

    /// The value at `location`, if it exists.
    func value(at location: SchemaLocation) -> JSONValue? {
        SchemaPointer.resolve(location.pointer, in: documents[location.document].root)
    }

    /// The base URI in effect where `location` sits, before the schema's own `$id`.
    func inheritedBase(of location: SchemaLocation) -> SchemaURI {
        if let base = inheritedBases[location] {
            return base
        }
        // A location outside the walk (inside an unknown keyword, say): the nearest enclosing resource's base.
        var pointer = location.pointer
        while true {
            let candidate = SchemaLocation(document: location.document, pointer: pointer)
            if let base = inheritedBases[candidate], let value = value(at: candidate) {
                if case .string(let id) = value["$id"] {
                    return base.resolving(SchemaURI(id)).withoutFragment
                }
                return base
            }
            guard let slash = pointer.lastIndex(of: "/") else {
                return documents[location.document].uri.withoutFragment
            }
            pointer = String(pointer[..<slash])
        }
    }

    /// Resolves a `$ref` value against `base` to the location it names, or `nil` when nothing has that name.
    func locate(_ reference: String, base: SchemaURI) -> SchemaLocation? {
        let target = base.resolving(SchemaURI(reference))
        let resourceKey = target.withoutFragment.description
        guard let fragment = SchemaPointer.percentDecoded(target.fragmentText) else {
            return nil
        }
        if fragment.isEmpty {
            return resources[resourceKey]
        }
        if fragment.hasPrefix("/") {
            guard let resource = resources[resourceKey] else {
                return nil
            }
            let location = SchemaLocation(document: resource.document, pointer: resource.pointer + fragment)
            return value(at: location) == nil ? nil : location
        }
        return anchors[resourceKey + "#" + fragment]
    }

    private mutating func scan(_ value: JSONValue, at location: SchemaLocation, inheritedBase: SchemaURI) {
        guard case .object(let object) = value else {
            inheritedBases[location] = inheritedBase
            return
        }
        inheritedBases[location] = inheritedBase
        var base = inheritedBase
        if case .string(let id) = object["$id"] {
            base = inheritedBase.resolving(SchemaURI(id)).withoutFragment
            resources[base.description] = location
        }
        if case .string(let anchor) = object["$anchor"] {
            anchors[base.description + "#" + anchor] = location
        }
        if case .string(let anchor) = object["$dynamicAnchor"] {
            anchors[base.description + "#" + anchor] = location
            dynamicAnchors[base.description + "#" + anchor] = location
        }
        for member in object.members {
            let child = location.appending(member.name)
            if Self.singleSubschemaKeywords.contains(member.name) {
                scan(member.value, at: child, inheritedBase: base)
            } else if Self.arraySubschemaKeywords.contains(member.name), case .array(let elements) = member.value {
                for (index, element) in elements.enumerated() {
                    scan(element, at: child.appending(String(index)), inheritedBase: base)
                }
            } else if Self.mapSubschemaKeywords.contains(member.name), case .object(let schemas) = member.value {
                for schema in schemas.members {
                    scan(schema.value, at: child.appending(schema.name), inheritedBase: base)
                }
            }
        }
    }
}
