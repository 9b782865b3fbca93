// SPDX-License-Identifier: Apache-2.0

import TocsinCore

/// The rules and targets Tocsin ships with.
///
/// A rule or target of the same name in the rules directory or the API replaces one (to turn the rule off,
/// define it with `enabled: false`).
public enum BuiltinDefinitions: Sendable {
    /// Opens (or updates) one incident per address when it has been refused 10 or more times
    /// within a minute; `tocsin.auth.denied` events carry that count.
    public static let authFloodRule = "tocsin-auth-flood"
    /// The incident target the shipped security rules send to.
    public static let securityIncidents = "tocsin-security-incidents"

    /// The built-in rules.
    public static var rules: [RuleDefinition] {
        [
            definition(
                """
                {"description": "10 or more refused API requests from one address within a minute",
                 "pattern": {"source": ["/tocsin/auth"], "type": ["tocsin.auth.denied"],
                             "data": {"address_denials_last_minute": [{"numeric": [">=", 10]}]}},
                 "targets": [{"target": "\(securityIncidents)"}]}
                """
            ) { try RuleDefinition(name: authFloodRule, json: $0) }
        ]
    }

    /// The built-in targets, read with `kinds` (which must include `incident`).
    ///
    /// - Precondition: `kinds` reads every built-in definition.
    public static func targets(kinds: TargetKinds) -> [TargetDefinition] {
        [
            definition(#"{"kind": "incident", "key_path": "$.data.address", "severity": "high"}"#) {
                try TargetDefinition(name: securityIncidents, json: $0, kinds: kinds)
            }
        ]
    }

    private static func definition<T>(_ text: String, _ make: (JSONValue) throws -> T) -> T {
        do {
            return try make(try JSONParser().parse(text))
        } catch {
            preconditionFailure("a built-in definition does not validate: \(error)")
        }
    }
}
