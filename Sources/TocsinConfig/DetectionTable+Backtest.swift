// SPDX-License-Identifier: Apache-2.0

import TocsinSigma

extension DetectionTable {
    /// The table of one rule, for `tocsin rules backtest`: a pattern rule with a threshold, a Sigma
    /// rule, or a Sigma correlation with the rules it references (which raise no alerts of their own
    /// unless the correlation says `generate: true`).
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
            guard rule.threshold != nil else {
                throw ConfigError([
                    ConfigDiagnostic(
                        path: "rules.\(name)",
                        message:
                            "a routing rule without a threshold raises no alerts; try its pattern with 'tocsin pattern test'"
                    )
                ])
            }
            rule.enabled = true
            rule.staged = false
            return DetectionTable(rules: [rule])
        }
        func named(_ rule: SigmaRule, _ reference: String) -> Bool {
            rule.metadata.id == reference || rule.metadata.name == reference
        }
        var only = SigmaDefinitions()
        if let correlation = sigma.correlations.first(where: { $0.id == name || $0.name == name }) {
            only.correlations = [correlation]
            only.rules = sigma.rules.filter { rule in correlation.rules.contains { named(rule, $0) } }
        } else if let rule = sigma.rules.first(where: { named($0, name) }) {
            only.rules = [rule]
        } else {
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
