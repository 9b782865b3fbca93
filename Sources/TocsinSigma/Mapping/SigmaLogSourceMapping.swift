// SPDX-License-Identifier: Apache-2.0

public import TocsinCore
public import TocsinRules

/// Which Tocsin events a Sigma rule applies to, by its `logsource`.
///
/// Each entry pairs a log-source selector with an event pattern on the CloudEvents attributes
/// (`source`, `type`) that Tocsin's native normalisers give that kind of log. The most specific
/// selector that applies to a rule wins (`linux`/`sshd` over `linux`). A rule whose log source no
/// entry selects applies to no event; ``SigmaRuleSet/unmappedRules`` lists them so they can be
/// reported. The rule's fields are read under the event's `data` (the record as received).
public struct SigmaLogSourceMapping: Sendable {
    /// One selector and the events it stands for.
    public struct Entry: Sendable {
        /// The log sources selected (only the parts named are compared, ignoring case).
        public var logSource: SigmaLogSource
        /// The event pattern (EventBridge syntax) on the event's attributes, as JSON.
        public let pattern: JSONValue

        /// Creates an entry.
        ///
        /// - Throws: ``PatternError`` when `pattern` is not a valid event pattern.
        public init(logSource: SigmaLogSource, pattern: JSONValue) throws(PatternError) {
            _ = try EventPattern(json: pattern)
            guard case .object = pattern else {
                throw PatternError(code: .syntax, path: "$", message: "a log-source pattern must be an object")
            }
            self.logSource = logSource
            self.pattern = pattern
        }

        /// Creates an entry from pattern source text.
        ///
        /// - Throws: ``PatternError`` when `pattern` is not a valid event pattern.
        public init(logSource: SigmaLogSource, pattern text: String) throws(PatternError) {
            let value: JSONValue
            do {
                value = try JSONParser().parse(text)
            } catch {
                throw PatternError(code: .syntax, path: "$", message: error.message)
            }
            try self.init(logSource: logSource, pattern: value)
        }
    }

    /// The entries; later entries of equal specificity win over earlier ones.
    public var entries: [Entry]

    /// Creates a mapping.
    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// The defaults for Tocsin's native formats (see `docs/detection.md`).
    public static let defaults: SigmaLogSourceMapping = {
        let table: [(SigmaLogSource, String)] = [
            (SigmaLogSource(product: "aws", service: "cloudtrail"), #"{"source":[{"prefix":"/aws/cloudtrail/"}]}"#),
            (SigmaLogSource(product: "azure", service: "activitylogs"), #"{"source":[{"prefix":"/azure/activity/"}]}"#),
            (
                SigmaLogSource(product: "azure", service: "signinlogs"),
                #"{"source":[{"wildcard":"/azure/entra/*/signin"}]}"#
            ),
            (
                SigmaLogSource(product: "azure", service: "auditlogs"),
                #"{"source":[{"wildcard":"/azure/entra/*/audit"}]}"#
            ),
            (
                SigmaLogSource(product: "gcp", service: "gcp.audit"),
                #"{"source":[{"prefix":"//cloudaudit.googleapis.com/"}]}"#
            ),
            (SigmaLogSource(product: "kubernetes", service: "audit"), #"{"type":[{"prefix":"k8s.audit."}]}"#),
            (SigmaLogSource(product: "github", service: "audit"), #"{"type":[{"prefix":"github.audit."}]}"#),
            (SigmaLogSource(product: "okta", service: "okta"), #"{"source":["/okta/system-log"]}"#),
            (SigmaLogSource(product: "linux"), #"{"source":[{"prefix":"/syslog/"}]}"#),
            (SigmaLogSource(product: "linux", service: "sshd"), #"{"source":[{"wildcard":"/syslog/*/sshd*"}]}"#),
            (SigmaLogSource(product: "linux", service: "sudo"), #"{"source":[{"wildcard":"/syslog/*/sudo"}]}"#),
            (
                SigmaLogSource(product: "linux", service: "cron"),
                #"{"source":[{"wildcard":"/syslog/*/cron"},{"wildcard":"/syslog/*/CRON"}]}"#
            ),
        ]
        var entries: [Entry] = []
        for (logSource, pattern) in table {
            do {
                entries.append(try Entry(logSource: logSource, pattern: pattern))
            } catch {
                preconditionFailure("built-in log-source pattern is invalid: \(error)")
            }
        }
        return SigmaLogSourceMapping(entries: entries)
    }()

    /// The default entries followed by `entries` (which therefore win over defaults of equal specificity).
    public func adding(_ entries: [Entry]) -> SigmaLogSourceMapping {
        SigmaLogSourceMapping(entries: self.entries + entries)
    }

    /// The attribute pattern for a rule's log source, or `nil` when no entry selects it.
    public func pattern(for logSource: SigmaLogSource) -> JSONValue? {
        var best: Entry?
        for entry in entries where logSource.isSelected(by: entry.logSource) {
            if best == nil || entry.logSource.specificity >= (best?.logSource.specificity ?? 0) {
                best = entry
            }
        }
        return best?.pattern
    }
}
