// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// A compiled Sigma detection rule.
///
/// Evaluate it on a raw record (the log source's own JSON, or a syslog line as a JSON string)
/// with ``matches(_:)``, or put many in a ``SigmaRuleSet``.
public struct SigmaRule: Sendable {
    /// The rule's metadata.
    public let metadata: SigmaRuleMetadata
    /// The file the rule was read from, as the caller named it.
    public let file: String
    let expression: SigmaExpression

    init(metadata: SigmaRuleMetadata, file: String, expression: SigmaExpression) {
        self.metadata = metadata
        self.file = file
        self.expression = expression
    }

    /// Whether the raw record matches (a JSON record, or a `.string` holding a raw log line).
    public func matches(_ record: JSONValue) -> Bool {
        var evaluator = SigmaEvaluator()
        return evaluator.evaluate(expression, record: record)
    }
}

/// The rules and correlation rules of one Sigma file (one or more YAML documents), and its problems.
///
/// A rule with a problem is left out and each problem is in ``diagnostics``: nothing is skipped
/// silently. Callers that must not run a partial file check that ``diagnostics`` is empty.
public struct SigmaCollection: Sendable {
    /// The detection rules compiled, in file order.
    public var rules: [SigmaRule]
    /// The correlation rules parsed, in file order.
    public var correlations: [SigmaCorrelation]
    /// Every problem found, located.
    public var diagnostics: [SigmaDiagnostic]

    /// Compiles the documents of `text`; `file` names it in diagnostics.
    public init(text: String, file: String, options: SigmaCompileOptions = SigmaCompileOptions()) {
        var sink = DiagnosticSink(file: file)
        var rules: [SigmaRule] = []
        var correlations: [SigmaCorrelation] = []
        let documents = SigmaYAMLNode.documents(text, sink: &sink)
        for document in documents {
            guard document.members != nil else {
                sink.report(
                    .structure,
                    at: document.position,
                    "a Sigma document is a map (title, logsource, detection, …)"
                )
                continue
            }
            if document["correlation"] != nil {
                if let correlation = SigmaCorrelationParser().parse(document, sink: &sink) {
                    correlations.append(correlation)
                }
            } else if document["filter"] != nil {
                sink.report(
                    .structure,
                    at: document.position,
                    "Sigma filter documents are not supported; add the exclusion to the rule's condition ('and not filter')"
                )
            } else if document["detection"] != nil {
                if let rule = SigmaRuleParser(options: options).parse(document, file: file, sink: &sink) {
                    rules.append(rule)
                }
            } else {
                sink.report(
                    .structure,
                    at: document.position,
                    "this document is neither a detection rule ('detection') nor a correlation ('correlation')"
                )
            }
        }
        if documents.isEmpty, sink.diagnostics.isEmpty {
            sink.report(.structure, at: nil, "the file holds no YAML document")
        }
        self.rules = rules
        self.correlations = correlations
        self.diagnostics = sink.diagnostics
    }
}
