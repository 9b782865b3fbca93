// SPDX-License-Identifier: Apache-2.0

public import TocsinSigma

/// The Sigma rules and correlation rules of a rules directory: files whose documents are Sigma
/// (`detection:` or `correlation:` at the top level), kept unmodified as SigmaHQ ships them, with
/// the mapping they were compiled with and Tocsin's settings for them (``SigmaRuleSettings``).
public struct SigmaDefinitions: Sendable {
    /// The detection rules, in file order.
    public var rules: [SigmaRule] = []
    /// The correlation rules, in file order.
    public var correlations: [SigmaCorrelation] = []
    /// The file of each correlation, in ``correlations`` order.
    public var correlationFiles: [String] = []
    /// Which events each log source stands for.
    public var logSourceMapping = SigmaLogSourceMapping.defaults
    /// The field renames per log source (rules are compiled with them).
    public var fieldMapping = SigmaFieldMapping.defaults
    /// Tocsin's settings (staged, tests) per rule or correlation.
    public var settings: [SigmaRuleSettings] = []

    /// No rules.
    public init() {}

    /// Whether `text` is a Sigma file: a top-level `detection:` or `correlation:` key in one of
    /// its documents.
    public static func isSigma(_ text: String) -> Bool {
        text.split(separator: "\n", omittingEmptySubsequences: true).contains { line in
            line.hasPrefix("detection:") || line.hasPrefix("correlation:")
        }
    }

    /// Whether the rule or correlation `reference` (id or name) is staged.
    public func isStaged(_ reference: String) -> Bool {
        settings.contains { $0.reference == reference && $0.staged }
    }

    /// Compiles one Sigma file into these definitions, with ``fieldMapping``; returns its problems as
    /// located diagnostics (the file's rules are all left out when it has one, so a file never half-loads).
    mutating func add(file: String, text: String) -> [ConfigDiagnostic] {
        let collection = SigmaCollection(
            text: text,
            file: file,
            options: SigmaCompileOptions(fieldMapping: fieldMapping)
        )
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
                    located.line = correlation.line
                    located.column = correlation.column
                    return located
                }
            }
        }
        guard problems.isEmpty else {
            return problems
        }
        rules += collection.rules
        correlations += collection.correlations
        correlationFiles += collection.correlations.map { _ in file }
        return []
    }

    /// The problems of the definitions as a whole, located: correlations whose references form a
    /// cycle (chaining must end at detection rules), and settings naming no rule or correlation.
    public func problems() -> [ConfigDiagnostic] {
        var problems = SigmaReferences(self).cycles.map { cycle in
            let correlation = correlations[cycle.correlation]
            return ConfigDiagnostic(
                file: correlationFiles.indices.contains(cycle.correlation) ? correlationFiles[cycle.correlation] : nil,
                line: correlation.line,
                column: correlation.column,
                path: "$.correlation.rules",
                message: "\(correlation.title): correlations refer to each other in a cycle ("
                    + cycle.path.joined(separator: " -> ")
                    + "); a chain must end at detection rules"
            )
        }
        let references = SigmaReferences(self)
        for setting in settings where references.target(of: setting.reference) == nil {
            var located = setting.location
            located.message = "no Sigma rule or correlation of the rules directory has this id or name"
            problems.append(located)
        }
        return problems
    }
}
