// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// The personal-data file (`tocsin serve --personal-data FILE`, docs/erasure.md): which fields of
/// which events are sealed with their subject's key at ingest.
///
/// ```yaml
/// personal_data:
///   - source: "aws.cloudtrail*"          # optional glob on the event source
///     type: "*"                          # optional glob on the event type
///     subject: $.data.userIdentity.userName
///     fields:
///       - $.data.userIdentity.arn
///       - $.data.sourceIPAddress
/// ```
public enum PersonalDataFile: Sendable {
    /// The top-level key that holds the rules.
    public static let rootKey = "personal_data"

    /// Reads and validates the file's text, reporting every problem with its line and column.
    ///
    /// - Parameters:
    ///   - text: The YAML text.
    ///   - file: The file name, for diagnostics.
    /// - Returns: The policy.
    /// - Throws: ``ConfigError`` with every problem found.
    public static func parse(text: String, file: String) throws(ConfigError) -> PersonalDataPolicy {
        try YAMLDocument.read(text: text, file: file, with: policy)
    }

    /// The policy in `value` (the file as JSON); problems go to `diagnostics`.
    public static func policy(_ value: JSONValue, diagnostics: inout [ConfigDiagnostic]) -> PersonalDataPolicy {
        let rules = ObjectReader.ruleList(
            value,
            key: rootKey,
            shape: "a list of rules with subject and fields",
            diagnostics: &diagnostics
        ) {
            rule($0, path: $1, diagnostics: &$2)
        }
        return PersonalDataPolicy(rules: rules)
    }

    private static func rule(
        _ value: JSONValue,
        path: String,
        diagnostics: inout [ConfigDiagnostic]
    ) -> PersonalDataRule? {
        guard var reader = ObjectReader(value, path: path, diagnostics: &diagnostics) else {
            return nil
        }
        let source = reader.string("source")
        let type = reader.string("type")
        let subject = reader.jsonPath("subject", required: true)
        if let subject {
            checkRoot(subject, key: "subject", reader: &reader)
        }
        var fields: [JSONPath] = []
        switch reader.value("fields") {
        case .array(let elements)?:
            for (index, element) in elements.enumerated() {
                let key = "fields[\(index)]"
                guard let text = element.stringValue, let field = JSONPath(text) else {
                    reader.report(key, "must be a JSON path such as \"$.data.userIdentity.arn\"")
                    continue
                }
                checkRoot(field, key: key, reader: &reader)
                fields.append(field)
            }
        case nil:
            break
        case .some:
            reader.report("fields", "must be a list of JSON paths such as \"$.data.sourceIPAddress\"")
        }
        reader.rejectUnknown()
        diagnostics += reader.diagnostics
        guard let subject, reader.diagnostics.isEmpty else {
            return nil
        }
        return PersonalDataRule(source: source, type: type, subject: subject, fields: fields)
    }

    /// Reports a path that does not start in a part of the record a rule may seal.
    private static func checkRoot(_ path: JSONPath, key: String, reader: inout ObjectReader) {
        let roots = PersonalDataRule.sealableRoots.sorted().map { "$.\($0)" }.joined(separator: ", ")
        guard case .member(let first)? = path.steps.first, PersonalDataRule.sealableRoots.contains(first) else {
            reader.report(key, "must start with one of \(roots)")
            return
        }
        if first == "subject", path.steps.count > 1 {
            reader.report(key, "$.subject is a string attribute; name it as $.subject alone")
        } else if first != "subject", path.steps.count < 2 {
            reader.report(key, "names a whole part of the record; name a field inside it, such as $.\(first).user")
        }
    }
}
