// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// Field renames per log source: where a rule's field names live in the records Tocsin holds.
///
/// SigmaHQ rules mostly use each source's own JSON paths, which Tocsin keeps unchanged in an
/// event's `data`. The exception is GCP audit logs, whose rules use Elastic names
/// (`gcp.audit.method_name`) and a `data.protoPayload.` wrapper; the default mapping renames them
/// to the raw LogEntry paths. Entries apply to every rule whose log source they select (all parts an
/// entry names must agree); a field renamed exactly (``Entry/fields``) is not also prefix-renamed.
public struct SigmaFieldMapping: Sendable, Hashable {
    /// The renames for one log source.
    public struct Entry: Sendable, Hashable {
        /// The log sources the entry applies to (only the parts it names are compared).
        public var logSource: SigmaLogSource
        /// Exact renames: rule field → record path.
        public var fields: [String: String]
        /// Prefix renames: a rule field starting with the key has that prefix replaced by the value.
        public var prefixes: [String: String]

        /// Creates an entry.
        public init(logSource: SigmaLogSource, fields: [String: String] = [:], prefixes: [String: String] = [:]) {
            self.logSource = logSource
            self.fields = fields
            self.prefixes = prefixes
        }
    }

    /// The entries, applied in order (an exact rename wins over a prefix rename).
    public var entries: [Entry]

    /// Creates a mapping.
    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// No renames.
    public static let identity = SigmaFieldMapping(entries: [])

    /// Tocsin's default: the GCP audit renames of `shared/conformance/sigma/field_mappings.json`.
    public static let defaults = SigmaFieldMapping(entries: [
        Entry(
            logSource: SigmaLogSource(product: "gcp", service: "gcp.audit"),
            fields: ["gcp.audit.method_name": "protoPayload.methodName"],
            prefixes: ["data.protoPayload.": "protoPayload."]
        )
    ])

    /// Reads the `field_mappings.json` form: a JSON array of
    /// `{"logsource": {product, service, category}, "map": {from: to}, "prefix": {from: to}}`.
    ///
    /// - Throws: ``SigmaMappingError`` naming the JSON path of the first problem.
    public init(json: JSONValue) throws(SigmaMappingError) {
        guard case .array(let elements) = json else {
            throw SigmaMappingError(path: "$", message: "a field mapping file is a JSON array of entries")
        }
        var entries: [Entry] = []
        for (index, element) in elements.enumerated() {
            let path = "$[\(index)]"
            guard case .object = element else {
                throw SigmaMappingError(path: path, message: "each entry is an object with logsource, map and prefix")
            }
            let logSource = try SigmaMappingError.logSource(element["logsource"], path: "\(path).logsource")
            entries.append(
                Entry(
                    logSource: logSource,
                    fields: try SigmaMappingError.strings(element["map"], path: "\(path).map"),
                    prefixes: try SigmaMappingError.strings(element["prefix"], path: "\(path).prefix")
                )
            )
        }
        self.entries = entries
    }

    /// The record path for the rule field `field` of a rule with log source `logSource`.
    public func map(_ field: String, logSource: SigmaLogSource) -> String {
        for entry in entries where logSource.isSelected(by: entry.logSource) {
            if let renamed = entry.fields[field] {
                return renamed
            }
        }
        for entry in entries where logSource.isSelected(by: entry.logSource) {
            for (prefix, replacement) in entry.prefixes.sorted(by: { $0.key.count > $1.key.count })
            where field.hasPrefix(prefix) {
                return replacement + field.dropFirst(prefix.count)
            }
        }
        return field
    }
}

/// A problem in a mapping file (field mapping or log-source mapping), with its JSON path.
public struct SigmaMappingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The JSON path of the problem.
    public var path: String
    /// What is wrong and how to fix it.
    public var message: String

    /// Creates an error.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `path: message`.
    public var description: String {
        "\(path): \(message)"
    }

    static func strings(_ value: JSONValue?, path: String) throws(SigmaMappingError) -> [String: String] {
        guard let value else {
            return [:]
        }
        guard case .object(let object) = value else {
            throw SigmaMappingError(path: path, message: "expected an object of field names to field names")
        }
        var result: [String: String] = [:]
        for member in object.members {
            guard case .string(let text) = member.value, !text.isEmpty else {
                throw SigmaMappingError(path: "\(path).\(member.name)", message: "expected a non-empty field name")
            }
            result[member.name] = text
        }
        return result
    }

    static func logSource(_ value: JSONValue?, path: String) throws(SigmaMappingError) -> SigmaLogSource {
        guard case .object(let object) = value else {
            throw SigmaMappingError(path: path, message: "expected an object with product, service and/or category")
        }
        var source = SigmaLogSource()
        for member in object.members {
            guard case .string(let text) = member.value else {
                throw SigmaMappingError(path: "\(path).\(member.name)", message: "expected a string")
            }
            switch member.name {
            case "product": source.product = text
            case "service": source.service = text
            case "category": source.category = text
            default:
                throw SigmaMappingError(
                    path: "\(path).\(member.name)",
                    message: "unknown log source key; use product, service or category"
                )
            }
        }
        return source
    }
}
