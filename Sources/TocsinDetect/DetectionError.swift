// SPDX-License-Identifier: Apache-2.0

/// Why a set of detection rules (or a snapshot) was refused: which rule, which setting, and how to fix it.
///
/// Messages name rules and settings, never event values.
public struct DetectionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable code for the kind of problem.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The code's stable identifier, for example `detect.window`.
        public let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// Two rules share an id.
        public static let duplicateRule = Code("detect.duplicate-rule")
        /// A window, period, lateness or suppression is zero, negative or too large.
        public static let window = Code("detect.window")
        /// A count condition cannot hold or is not supported for the rule's kind.
        public static let condition = Code("detect.condition")
        /// A temporal rule names too few rules, or a limit (groups, values, speed, distance) is out of range.
        public static let limit = Code("detect.limit")
        /// A snapshot was made by an incompatible version or does not fit its rules.
        public static let snapshot = Code("detect.snapshot")

        /// The code's stable identifier.
        public var description: String {
            name
        }
    }

    /// The id of the rule at fault (empty for a snapshot-wide problem).
    public var rule: String
    /// The kind of problem.
    public var code: Code
    /// What is wrong and how to fix it.
    public var message: String

    /// Creates an error.
    public init(rule: String, code: Code, message: String) {
        self.rule = rule
        self.code = code
        self.message = message
    }

    /// `"rule <id>: <message>"`.
    public var description: String {
        rule.isEmpty ? message : "rule \(rule): \(message)"
    }
}
