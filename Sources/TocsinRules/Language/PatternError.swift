// SPDX-License-Identifier: Apache-2.0

/// Why a pattern was rejected: a code, the JSON path of the offending element, and a message that
/// says what is wrong and what would be valid.
///
/// Messages name operators and positions, never event values.
public struct PatternError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem.
    public enum Code: String, Sendable, Hashable {
        /// The text is not JSON; the message has the byte offset.
        case syntax
        /// The pattern is not a JSON object.
        case notAnObject
        /// `{}` where a pattern or operator object is required.
        case emptyObject
        /// `[]` where a value list is required.
        case emptyArray
        /// A field's value is a scalar instead of an object or a value list.
        case invalidFieldValue
        /// A value-list element that is an array or an empty operator object.
        case invalidMatchValue
        /// An operator name that does not exist or more than one operator in one object.
        case unknownOperator
        /// An operator's operand has the wrong type or form.
        case invalidOperand
        /// A `wildcard` operand with `**` or a bad escape.
        case invalidWildcard
        /// A `numeric` operand that is not a valid range.
        case invalidNumeric
        /// A `cidr` operand that is not a valid block.
        case invalidCIDR
        /// An `anything-but` operand that is not valid.
        case invalidAnythingBut
        /// A `$or` that is not an array of at least two non-empty objects.
        case invalidOr
        /// The pattern exceeds one of the ``PatternLimits``.
        case limitExceeded
    }

    /// The kind of problem.
    public let code: Code
    /// Where, as a JSON path from the pattern root (`$.detail.count[0].numeric`).
    public let path: String
    /// What is wrong and what would be valid.
    public let message: String

    /// Creates an error.
    public init(code: Code, path: String, message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    /// `path: message`.
    public var description: String {
        "\(path): \(message)"
    }
}

/// Bounds that keep a hostile pattern from making compilation or matching slow.
public struct PatternLimits: Sendable, Hashable {
    /// Maximum pattern source size in bytes.
    ///
    /// Default 64 KiB.
    public var maxBytes: Int
    /// Maximum nesting of objects and arrays in the pattern source.
    ///
    /// Default 32.
    public var maxDepth: Int
    /// Maximum number of sub-rules `$or` may expand into (EventBridge's service limit).
    ///
    /// Default 1,000.
    public var maxCombinations: Int
    /// Maximum number of value-list elements (literals and operators) in the whole pattern.
    ///
    /// Default 1,000.
    public var maxValues: Int
    /// Maximum `*` in one wildcard operand.
    ///
    /// Default 8.
    public var maxWildcardStars: Int
    /// Maximum length in bytes of one string operand.
    ///
    /// Default 1,024.
    public var maxOperandBytes: Int

    /// Creates limits; the defaults are documented in `docs/patterns.md`.
    public init(
        maxBytes: Int = 64 * 1024,
        maxDepth: Int = 32,
        maxCombinations: Int = 1000,
        maxValues: Int = 1000,
        maxWildcardStars: Int = 8,
        maxOperandBytes: Int = 1024
    ) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxCombinations = maxCombinations
        self.maxValues = maxValues
        self.maxWildcardStars = maxWildcardStars
        self.maxOperandBytes = maxOperandBytes
    }
}
