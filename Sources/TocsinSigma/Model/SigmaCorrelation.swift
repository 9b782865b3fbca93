// SPDX-License-Identifier: Apache-2.0

/// A Sigma correlation rule (meta-rule), parsed but not run: `TocsinDetect` runs correlations.
///
/// A plain value: the references are the ids or names written in the file, in order, unresolved.
public struct SigmaCorrelation: Sendable, Hashable {
    /// The correlation type.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Number of matching events per group within the timespan.
        case eventCount = "event_count"
        /// Number of distinct values of a field per group within the timespan.
        case valueCount = "value_count"
        /// Every referenced rule matched within the timespan, in any order.
        case temporal
        /// Every referenced rule matched within the timespan, in the order listed.
        case temporalOrdered = "temporal_ordered"
    }

    /// A comparison operator of the `condition` map.
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        /// Greater than.
        case gt
        /// Greater than or equal.
        case gte
        /// Less than.
        case lt
        /// Less than or equal.
        case lte
        /// Equal.
        case eq
        /// Not equal.
        case neq
    }

    /// The `condition`: one or two comparisons (AND-ed), and the field for `value_count`.
    public struct Condition: Sendable, Hashable {
        /// The comparisons, in the order written.
        public var comparisons: [Comparison]
        /// `field`, the field whose distinct values `value_count` counts.
        public var field: String?

        /// Creates a condition.
        public init(comparisons: [Comparison], field: String? = nil) {
            self.comparisons = comparisons
            self.field = field
        }
    }

    /// One comparison of a count with a number.
    public struct Comparison: Sendable, Hashable {
        /// The operator.
        public var op: Operator
        /// The number compared with.
        public var value: Int

        /// Creates a comparison.
        public init(op: Operator, value: Int) {
            self.op = op
            self.value = value
        }
    }

    /// `id`.
    public var id: String?
    /// `name`.
    public var name: String?
    /// `title`.
    public var title: String
    /// `level`.
    public var level: String?
    /// `tags`.
    public var tags: [String]
    /// `author`.
    public var author: String?
    /// `type`.
    public var kind: Kind
    /// `rules`: ids or names of the rules (or correlations) referenced, in order.
    public var rules: [String]
    /// `group-by` fields.
    public var groupBy: [String]
    /// `timespan` in milliseconds.
    public var timespanMilliseconds: Int64
    /// `condition`, absent only for the temporal types.
    public var condition: Condition?
    /// `aliases`: alias name → (rule reference → field in that rule's events).
    public var aliases: [String: [String: String]]
    /// `generate`: also emit the referenced rules' own alerts.
    public var generate: Bool
    /// The 1-based line of the document in its file, when read from one (for located diagnostics).
    public var line: Int?
    /// The 1-based column of the document in its file, when read from one.
    public var column: Int?

    /// Creates a correlation.
    public init(
        id: String? = nil,
        name: String? = nil,
        title: String,
        level: String? = nil,
        tags: [String] = [],
        author: String? = nil,
        kind: Kind,
        rules: [String],
        groupBy: [String] = [],
        timespanMilliseconds: Int64,
        condition: Condition? = nil,
        aliases: [String: [String: String]] = [:],
        generate: Bool = false
    ) {
        self.id = id
        self.name = name
        self.title = title
        self.level = level
        self.tags = tags
        self.author = author
        self.kind = kind
        self.rules = rules
        self.groupBy = groupBy
        self.timespanMilliseconds = timespanMilliseconds
        self.condition = condition
        self.aliases = aliases
        self.generate = generate
    }

    /// The id, else the name, else the title.
    public var reference: String {
        id ?? name ?? title
    }
}
