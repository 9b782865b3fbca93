// SPDX-License-Identifier: Apache-2.0

/// How long the live log keeps records, per source and type pattern.
///
/// Rules are tried in order and the first whose `source` and `type` patterns both match decides;
/// a record no rule matches keeps ``defaultKeepMilliseconds``. A `nil` keep means forever. Patterns
/// are globs where `*` matches any run of characters (`aws.cloudtrail*`, `*`).
public struct RetentionPolicy: Sendable, Hashable {
    /// One rule: records whose source and type match keep `keepMilliseconds`.
    public struct Rule: Sendable, Hashable {
        /// The glob the record's `source` must match.
        public var source: String
        /// The glob the record's `type` must match.
        public var type: String
        /// How long matching records stay in the live log; `nil` keeps them forever.
        public var keepMilliseconds: Int64?

        /// Creates a rule.
        public init(source: String = "*", type: String = "*", keepMilliseconds: Int64?) {
            self.source = source
            self.type = type
            self.keepMilliseconds = keepMilliseconds
        }
    }

    /// The rules, first match wins.
    public var rules: [Rule]
    /// What records no rule matches keep; `nil` keeps them forever.
    public var defaultKeepMilliseconds: Int64?

    /// Creates a policy.
    public init(rules: [Rule] = [], defaultKeepMilliseconds: Int64? = nil) {
        self.rules = rules
        self.defaultKeepMilliseconds = defaultKeepMilliseconds
    }

    /// How long a record of `source` and `type` is kept, or `nil` for forever.
    public func keepMilliseconds(source: String, type: String) -> Int64? {
        for rule in rules where Glob.matches(rule.source, source) && Glob.matches(rule.type, type) {
            return rule.keepMilliseconds
        }
        return defaultKeepMilliseconds
    }

    /// Whether a record of `source` and `type` ingested at `ingestMilliseconds` is past its
    /// retention at `nowMilliseconds` (its age has reached its keep).
    public func isExpired(source: String, type: String, ingestMilliseconds: Int64, nowMilliseconds: Int64) -> Bool {
        guard let keep = keepMilliseconds(source: source, type: type) else {
            return false
        }
        return nowMilliseconds - ingestMilliseconds >= keep
    }
}
