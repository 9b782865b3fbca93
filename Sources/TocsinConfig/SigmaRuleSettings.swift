// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// Tocsin's settings for one Sigma rule or correlation, kept beside the Sigma files in a rules file
/// so that SigmaHQ's files stay unmodified: whether the rule is staged, and its inline tests.
///
/// ```yaml
/// sigma:
///   4db60cc0-36fb-42b7-9b58-a5b53019fb74:      # a Sigma rule's or correlation's id (or name)
///     staged: true
///     tests:
///       - event: {source: /aws/cloudtrail/eu-west-1, type: aws.cloudtrail.StopLogging, data: {…}}
///         match: true
/// ```
public struct SigmaRuleSettings: Sendable, Hashable {
    /// The Sigma rule's or correlation's id, or name.
    public var reference: String
    /// A staged rule's alerts are recorded (they open no incident); no target fires for them.
    public var staged: Bool
    /// Inline tests, run by `tocsin rules test`: events are Tocsin events (CloudEvent JSON whose
    /// `data` is the record), `match` for a detection rule, `alerts` for a correlation.
    public var tests: [RuleTest]
    /// Where the settings were written, for diagnostics about the reference.
    public var location: ConfigDiagnostic

    /// Reads the settings of `reference`, reporting every problem at once.
    ///
    /// - Throws: ``ConfigError`` with one diagnostic per problem (paths relative to the settings).
    public init(reference: String, json: JSONValue) throws(ConfigError) {
        var diagnostics: [ConfigDiagnostic] = []
        guard var reader = ObjectReader(json, path: "$", diagnostics: &diagnostics) else {
            throw ConfigError(diagnostics)
        }
        staged = reader.bool("staged", default: false)
        tests = RuleTest.list(from: &reader)
        reader.rejectUnknown()
        guard reader.diagnostics.isEmpty else {
            throw ConfigError(reader.diagnostics)
        }
        self.reference = reference
        self.location = ConfigDiagnostic(path: "$", message: "")
    }
}
