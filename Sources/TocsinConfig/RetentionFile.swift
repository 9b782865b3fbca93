// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// A retention file: how long the live log keeps records, per source and type pattern.
///
/// ```yaml
/// default: 365d            # records no rule matches; "forever" (the default) never archives them
/// rules:                   # tried in order, the first match wins
///   - source: "aws.cloudtrail*"
///     type: "*"
///     keep: 90d
///   - source: "/tocsin/*"
///     keep: forever
/// ```
///
/// `keep` and `default` take a whole number with a unit (`s`, `m`, `h`, `d`, `w`) or `forever`;
/// `source` and `type` are globs where `*` matches anything, and default to `*`. Every problem is
/// reported at once, located at its line, column and JSON path; values never appear in messages.
public enum RetentionFile: Sendable {
    /// Reads `text`, the contents of `file`.
    ///
    /// - Throws: ``ConfigError`` with every problem, each located.
    public static func policy(text: String, file: String) throws(ConfigError) -> RetentionPolicy {
        let document = try YAMLDocument(text: text, file: file)
        var diagnostics: [ConfigDiagnostic] = []
        func problem(_ path: String, _ message: String) {
            let place = document.positions[path]
            diagnostics.append(
                ConfigDiagnostic(file: file, line: place?.line, column: place?.column, path: path, message: message)
            )
        }
        var policy = RetentionPolicy()
        guard case .object(let root) = document.value else {
            problem("$", "a retention file is a mapping with 'default' and 'rules'; found \(document.value.typeName)")
            throw ConfigError(diagnostics)
        }
        for member in root.members {
            let path = "$.\(member.name)"
            switch member.name {
            case "default":
                switch keep(member.value) {
                case .success(let value): policy.defaultKeepMilliseconds = value
                case .failure(let failure): problem(path, failure.message)
                }
            case "rules":
                guard case .array(let items) = member.value else {
                    problem(path, "rules must be a list of {source, type, keep}; found \(member.value.typeName)")
                    continue
                }
                for (index, item) in items.enumerated() {
                    if let rule = rule(item, path: "\(path)[\(index)]", problem: problem) {
                        policy.rules.append(rule)
                    }
                }
            default:
                problem(path, "unknown key '\(member.name)'; a retention file has 'default' and 'rules'")
            }
        }
        guard diagnostics.isEmpty else {
            throw ConfigError(diagnostics)
        }
        return policy
    }

    private static func rule(
        _ item: JSONValue,
        path: String,
        problem: (String, String) -> Void
    ) -> RetentionPolicy.Rule? {
        guard case .object(let object) = item else {
            problem(path, "a rule must be a mapping with source, type and keep; found \(item.typeName)")
            return nil
        }
        var rule = RetentionPolicy.Rule(keepMilliseconds: nil)
        var hasKeep = false
        var isValid = true
        for member in object.members {
            let memberPath = "\(path).\(member.name)"
            switch member.name {
            case "source", "type":
                guard case .string(let pattern) = member.value, !pattern.isEmpty else {
                    problem(memberPath, "\(member.name) must be a non-empty glob string such as \"aws.*\"")
                    isValid = false
                    continue
                }
                if member.name == "source" {
                    rule.source = pattern
                } else {
                    rule.type = pattern
                }
            case "keep":
                hasKeep = true
                switch keep(member.value) {
                case .success(let value): rule.keepMilliseconds = value
                case .failure(let failure):
                    problem(memberPath, failure.message)
                    isValid = false
                }
            default:
                problem(memberPath, "unknown key '\(member.name)'; a rule has source, type and keep")
                isValid = false
            }
        }
        if !hasKeep {
            problem(path, "the rule has no keep; add e.g. 'keep: 90d' or 'keep: forever'")
            isValid = false
        }
        return isValid ? rule : nil
    }

    private struct Failure: Error {
        let message: String
    }

    /// A keep value in milliseconds, `nil` for forever.
    private static func keep(_ value: JSONValue) -> Result<Int64?, Failure> {
        let invalid = Failure(
            message: "a retention must be a whole number with a unit s, m, h, d or w (90d), or forever"
        )
        guard case .string(let text) = value else {
            return .failure(invalid)
        }
        if text == "forever" {
            return .success(nil)
        }
        let units: [Character: Int64] = ["s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000]
        guard let unit = text.last, let scale = units[unit], let count = Int64(text.dropLast()), count > 0,
            count <= Int64.max / scale
        else {
            return .failure(invalid)
        }
        return .success(count * scale)
    }
}
