// SPDX-License-Identifier: Apache-2.0

public import TocsinSigma

/// The Sigma rules and correlation rules of a rules directory: files whose documents are Sigma
/// (`detection:` or `correlation:` at the top level), kept unmodified as SigmaHQ ships them.
public struct SigmaDefinitions: Sendable {
    /// The detection rules, in file order.
    public var rules: [SigmaRule] = []
    /// The correlation rules, in file order.
    public var correlations: [SigmaCorrelation] = []

    /// No rules.
    public init() {}

    /// Whether `text` is a Sigma file: a top-level `detection:` or `correlation:` key in one of
    /// its documents.
    public static func isSigma(_ text: String) -> Bool {
        text.split(separator: "\n", omittingEmptySubsequences: true).contains { line in
            line.hasPrefix("detection:") || line.hasPrefix("correlation:")
        }
    }

    /// Compiles one Sigma file into these definitions; returns its problems as located
    /// diagnostics (the file's rules are all left out when it has one, so a file never half-loads).
    mutating func add(file: String, text: String) -> [ConfigDiagnostic] {
        let collection = SigmaCollection(text: text, file: file)
        guard collection.diagnostics.isEmpty else {
            return collection.diagnostics.map {
                ConfigDiagnostic(file: file, line: $0.line, column: $0.column, path: "$", message: $0.message)
            }
        }
        var problems: [ConfigDiagnostic] = []
        for correlation in collection.correlations {
            do {
                _ = try SigmaFeeds.detectionKind(of: correlation)
            } catch {
                problems += error.diagnostics.map { diagnostic in
                    var located = diagnostic
                    located.file = file
                    return located
                }
            }
        }
        guard problems.isEmpty else {
            return problems
        }
        rules += collection.rules
        correlations += collection.correlations
        return []
    }
}
