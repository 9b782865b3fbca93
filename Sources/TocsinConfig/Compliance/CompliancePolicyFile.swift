// SPDX-License-Identifier: Apache-2.0

public import TocsinCompliance
public import TocsinCore

/// The compliance policy file (`tocsin serve --compliance-policy FILE`, docs/compliance.md): what
/// to do at ingest with the personal and secret data the detectors find in event data.
///
/// ```yaml
/// compliance:
///   - source: "billing*"           # optional glob on the event source
///     type: "*"                    # optional glob on the event type
///     field: $.data.card           # optional: this field and everything inside it
///     categories: [payment_card]   # optional: every category when absent
///     action: reject               # report, mask, hash, drop or reject
/// ```
///
/// For each finding the first rule that covers it decides; findings no rule covers are reported.
public enum CompliancePolicyFile: Sendable {
    /// The top-level key that holds the rules.
    public static let rootKey = "compliance"

    /// Reads and validates the file's text, reporting every problem with its line and column.
    ///
    /// - Parameters:
    ///   - text: The YAML text.
    ///   - file: The file name, for diagnostics.
    /// - Returns: The policy.
    /// - Throws: ``ConfigError`` with every problem found.
    public static func parse(text: String, file: String) throws(ConfigError) -> CompliancePolicy {
        try YAMLDocument.read(text: text, file: file, with: policy)
    }

    /// The policy in `value` (the file as JSON); problems go to `diagnostics`.
    public static func policy(_ value: JSONValue, diagnostics: inout [ConfigDiagnostic]) -> CompliancePolicy {
        let rules = ObjectReader.ruleList(
            value,
            key: rootKey,
            shape: "a list of rules, each with an action",
            diagnostics: &diagnostics
        ) {
            rule($0, path: $1, diagnostics: &$2)
        }
        return CompliancePolicy(rules: rules)
    }

    private static func rule(
        _ value: JSONValue,
        path: String,
        diagnostics: inout [ConfigDiagnostic]
    ) -> ComplianceRule? {
        guard var reader = ObjectReader(value, path: path, diagnostics: &diagnostics) else {
            return nil
        }
        let source = reader.string("source")
        let type = reader.string("type")
        var field: String?
        if let path = reader.jsonPath("field") {
            field = ComplianceRule.dataField(path)
            if field == nil {
                reader.report("field", "must be a path inside the event data, such as \"$.data.user.email\"")
            }
        }
        var categories = ComplianceCategorySet.all
        if reader.value("categories") != nil {
            categories = ComplianceCategorySet()
            for name in reader.strings("categories") {
                guard let category = ComplianceCategory(rawValue: name) else {
                    let known = ComplianceCategory.allCases.map(\.rawValue).joined(separator: ", ")
                    reader.report("categories", "has unknown category \"\(name)\"; use one of \(known)")
                    continue
                }
                categories.insert(category)
            }
        }
        var action: ComplianceAction?
        if let name = reader.string("action", required: true) {
            action = ComplianceAction(rawValue: name)
            if action == nil {
                reader.report("action", "must be one of report, mask, hash, drop, reject")
            }
        }
        reader.rejectUnknown()
        diagnostics += reader.diagnostics
        guard let action, reader.diagnostics.isEmpty else {
            return nil
        }
        return ComplianceRule(source: source, type: type, field: field, categories: categories, action: action)
    }
}
