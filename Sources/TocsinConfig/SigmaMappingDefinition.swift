// SPDX-License-Identifier: Apache-2.0

public import TocsinCore
import TocsinRules
public import TocsinSigma

/// The `sigma_mapping:` of a rules file: which Tocsin events a Sigma `logsource` stands for, and
/// per-logsource field renames, added to Tocsin's defaults (your entries win).
///
/// ```yaml
/// sigma_mapping:
///   logsources:
///     - logsource: {product: acme, service: vpn}
///       events: {source: [{prefix: /acme/vpn/}]}          # an event pattern on the attributes
///   fields:
///     - logsource: {product: gcp, service: gcp.audit}
///       map: {gcp.audit.method_name: protoPayload.methodName}
///       prefix: {data.protoPayload.: protoPayload.}
/// ```
public struct SigmaMappingDefinition: Sendable {
    /// The log-source entries, in order.
    public var logSources: [SigmaLogSourceMapping.Entry] = []
    /// The field-rename entries, in order.
    public var fields: [SigmaFieldMapping.Entry] = []

    /// The log-source mapping in force: the defaults, then these entries (which win over defaults
    /// of equal specificity).
    public var logSourceMapping: SigmaLogSourceMapping {
        SigmaLogSourceMapping.defaults.adding(logSources)
    }

    /// The field mapping in force: these entries, then the defaults (an exact rename found first wins).
    public var fieldMapping: SigmaFieldMapping {
        SigmaFieldMapping(entries: fields + SigmaFieldMapping.defaults.entries)
    }

    /// Reads a mapping, reporting every problem at once.
    ///
    /// - Throws: ``ConfigError`` with one diagnostic per problem (paths relative to the mapping).
    public init(json: JSONValue) throws(ConfigError) {
        var diagnostics: [ConfigDiagnostic] = []
        guard var reader = ObjectReader(json, path: "$", diagnostics: &diagnostics) else {
            throw ConfigError(diagnostics)
        }
        for (path, entry) in Self.entries(reader.value("logsources"), path: "$.logsources", into: &reader.diagnostics) {
            guard var entryReader = ObjectReader(entry, path: path, diagnostics: &reader.diagnostics) else {
                continue
            }
            let logSource = Self.logSource(&entryReader)
            let events = entryReader.value("events")
            if let events {
                do {
                    let entry = try SigmaLogSourceMapping.Entry(
                        logSource: logSource ?? SigmaLogSource(),
                        pattern: events
                    )
                    if logSource != nil {
                        logSources.append(entry)
                    }
                } catch {
                    entryReader.diagnostics.append(
                        ConfigDiagnostic(
                            path: entryReader.childPath("events") + error.path.dropFirst(),
                            message: error.message
                        )
                    )
                }
            } else {
                entryReader.diagnostics.append(
                    ConfigDiagnostic(
                        path: entryReader.childPath("events"),
                        message: "is required: an event pattern on the attributes, such as {source: [{prefix: /acme/}]}"
                    )
                )
            }
            entryReader.rejectUnknown()
            reader.diagnostics += entryReader.diagnostics
        }
        for (path, entry) in Self.entries(reader.value("fields"), path: "$.fields", into: &reader.diagnostics) {
            guard var entryReader = ObjectReader(entry, path: path, diagnostics: &reader.diagnostics) else {
                continue
            }
            let logSource = Self.logSource(&entryReader)
            let renames = Self.renames(&entryReader, "map")
            let prefixes = Self.renames(&entryReader, "prefix")
            if let logSource {
                fields.append(SigmaFieldMapping.Entry(logSource: logSource, fields: renames, prefixes: prefixes))
            }
            entryReader.rejectUnknown()
            reader.diagnostics += entryReader.diagnostics
        }
        reader.rejectUnknown()
        guard reader.diagnostics.isEmpty else {
            throw ConfigError(reader.diagnostics)
        }
    }

    private static func entries(
        _ value: JSONValue?,
        path: String,
        into diagnostics: inout [ConfigDiagnostic]
    ) -> [(String, JSONValue)] {
        guard let value else {
            return []
        }
        guard case .array(let elements) = value else {
            diagnostics.append(ConfigDiagnostic(path: path, message: "must be a list of entries"))
            return []
        }
        return elements.enumerated().map { ("\(path)[\($0.offset)]", $0.element) }
    }

    /// `logsource: {product, service, category}`: at least one part, strings only.
    private static func logSource(_ reader: inout ObjectReader) -> SigmaLogSource? {
        guard let value = reader.value("logsource") else {
            reader.diagnostics.append(
                ConfigDiagnostic(
                    path: reader.childPath("logsource"),
                    message: "is required: {product, service and/or category}"
                )
            )
            return nil
        }
        guard var parts = ObjectReader(value, path: reader.childPath("logsource"), diagnostics: &reader.diagnostics)
        else {
            return nil
        }
        let source = SigmaLogSource(
            product: parts.string("product"),
            service: parts.string("service"),
            category: parts.string("category")
        )
        if source.product == nil && source.service == nil && source.category == nil {
            parts.diagnostics.append(
                ConfigDiagnostic(path: parts.path, message: "name at least one of product, service, category")
            )
        }
        parts.rejectUnknown()
        reader.diagnostics += parts.diagnostics
        return parts.diagnostics.isEmpty ? source : nil
    }

    /// A map of field name to field name.
    private static func renames(_ reader: inout ObjectReader, _ key: String) -> [String: String] {
        guard let value = reader.value(key) else {
            return [:]
        }
        guard case .object(let object) = value else {
            reader.diagnostics.append(
                ConfigDiagnostic(path: reader.childPath(key), message: "must map Sigma field names to record paths")
            )
            return [:]
        }
        var renames: [String: String] = [:]
        for member in object.members {
            guard case .string(let text) = member.value, !text.isEmpty else {
                reader.diagnostics.append(
                    ConfigDiagnostic(path: reader.childPath("\(key).\(member.name)"), message: "must be a field name")
                )
                continue
            }
            renames[member.name] = text
        }
        return renames
    }
}
