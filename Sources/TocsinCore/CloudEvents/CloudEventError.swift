// SPDX-License-Identifier: Apache-2.0

/// Why an incoming CloudEvent was rejected: which attribute, which rule, and how to fix it.
///
/// Messages never echo attribute values or payload content, only names and rules.
public struct CloudEventError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The CloudEvents rule that was broken.
    public struct Rule: Sendable, Hashable, CustomStringConvertible {
        /// The rule's stable identifier, for example `required`, `rfc3339`.
        public let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// A required attribute is missing or null.
        public static let required = Rule("required")
        /// An attribute must not be empty.
        public static let nonEmpty = Rule("non-empty")
        /// The attribute has the wrong JSON type.
        public static let type = Rule("type")
        /// `specversion` is not `1.0`.
        public static let specVersion = Rule("specversion")
        /// `time` is not RFC 3339.
        public static let rfc3339 = Rule("rfc3339")
        /// Not a valid RFC 2046 media type.
        public static let mediaType = Rule("media-type")
        /// Not a valid URI or URI-reference.
        public static let uri = Rule("uri")
        /// An attribute name uses characters other than `a-z0-9`, or is `data`.
        public static let name = Rule("attribute-name")
        /// An Integer outside the signed 32-bit range, or a number with a fraction.
        public static let integer = Rule("integer")
        /// A string holds control characters or Unicode noncharacters.
        public static let string = Rule("string")
        /// `data` and `data_base64` are both present, or `data_base64` is not Base64.
        public static let data = Rule("data")
        /// The body is not what the content type says (for example invalid JSON).
        public static let body = Rule("body")
        /// Batch-level rules: not an array, or mixed `specversion`.
        public static let batch = Rule("batch")
        /// A binary-mode header is malformed (bad percent-encoding, invalid UTF-8, forbidden header).
        public static let header = Rule("header")

        /// The rule's stable identifier.
        public var description: String {
            name
        }
    }

    /// Where the problem is: an attribute name, prefixed with the batch index when in a batch (`[3].time`).
    public var attribute: String
    /// The rule that was broken.
    public var rule: Rule
    /// What is wrong and what would be valid.
    public var message: String

    /// Creates an error.
    public init(attribute: String, rule: Rule, message: String) {
        self.attribute = attribute
        self.rule = rule
        self.message = message
    }

    /// `"<attribute>: <message>"`.
    public var description: String {
        "\(attribute): \(message)"
    }
}
