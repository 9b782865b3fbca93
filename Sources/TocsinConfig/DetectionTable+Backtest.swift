// SPDX-License-Identifier: Apache-2.0

import TocsinSigma

extension DetectionTable {
    /// The table of one rule, for `tocsin rules backtest` and Sigma inline tests: a pattern rule with
    /// a detection, a Sigma rule, or a Sigma correlation with the rules and correlations it references,
    /// transitively (which raise no alerts of their own unless the correlation says `generate: true`).
    ///
    /// The rule runs as if enabled and not staged: a backtest asks what it would raise.
    ///
    /// - Throws: ``ConfigError`` when no rule has that name, or the rule raises no alerts.
    public static func only(
        _ name: String,
        rules: [RuleDefinition],
        sigma: SigmaDefinitions
    ) throws(ConfigError) -> DetectionTable {
        if var rule = rules.first(where: { $0.name == name }) {
            guard rule.isDetection else {
                throw ConfigError([
                    ConfigDiagnostic(
                        path: "rules.\(name)",
                        message:
                            "a routing rule without a detection (threshold, first_seen, absence, impossible_travel) raises no alerts; try its pattern with 'tocsin pattern test'"
                    )
                ])
            }
            rule.enabled = true
            rule.staged = false
            return DetectionTable(rules: [rule])
        }
        var only = sigma
        only.settings = []
        let references = SigmaReferences(sigma)
        switch references.target(of: name) {
        case .rule(let index)?:
            only.rules = [sigma.rules[index]]
            only.correlations = []
            only.correlationFiles = []
        case .correlation(let index)?:
            // The correlation, the correlations it chains onto and the rules they reference.
            var rules: Set<Int> = []
            var correlations: Set<Int> = []
            var pending = [index]
            while let next = pending.popLast() {
                guard correlations.insert(next).inserted else {
                    continue
                }
                for reference in sigma.correlations[next].rules {
                    switch references.target(of: reference) {
                    case .rule(let rule)?: rules.insert(rule)
                    case .correlation(let child)?: pending.append(child)
                    case nil: break
                    }
                }
            }
            only.rules = rules.sorted().map { sigma.rules[$0] }
            only.correlations = correlations.sorted().map { sigma.correlations[$0] }
            only.correlationFiles = correlations.sorted().map {
                sigma.correlationFiles.indices.contains($0) ? sigma.correlationFiles[$0] : ""
            }
        case nil:
            throw ConfigError([
                ConfigDiagnostic(
                    path: "rules.\(name)",
                    message: "no pattern rule, Sigma rule or correlation has this name or id in the rules directory"
                )
            ])
        }
        return DetectionTable(rules: [], sigma: only)
    }
}
