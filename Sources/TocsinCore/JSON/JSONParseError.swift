// SPDX-License-Identifier: Apache-2.0

/// Why a document is not acceptable JSON, and the byte offset where that was found.
///
/// The message never contains document content, only positions and the grammar rule broken,
/// so it is safe to return to clients and to log.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable reason.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case unexpectedByte = "unexpected-byte"
            case unexpectedEnd = "unexpected-end"
            case invalidNumber = "invalid-number"
            case invalidEscape = "invalid-escape"
            case invalidUTF8 = "invalid-utf8"
            case controlCharacter = "control-character"
            case duplicateMember = "duplicate-member"
            case trailingContent = "trailing-content"
            case tooDeep = "too-deep"
            case tooLarge = "too-large"
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// A byte that no JSON grammar rule allows at this position.
        public static let unexpectedByte = Code(.unexpectedByte)
        /// The document ended inside a value.
        public static let unexpectedEnd = Code(.unexpectedEnd)
        /// A number that breaks the JSON number grammar (leading zeros, lone `-`, `1.`, …).
        public static let invalidNumber = Code(.invalidNumber)
        /// An unknown escape, a malformed `\u` escape or an unpaired surrogate.
        public static let invalidEscape = Code(.invalidEscape)
        /// Bytes that are not well-formed UTF-8.
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// An unescaped control character (U+0000–U+001F) inside a string.
        public static let controlCharacter = Code(.controlCharacter)
        /// An object with two members of the same name.
        public static let duplicateMember = Code(.duplicateMember)
        /// Content after the end of the top-level value.
        public static let trailingContent = Code(.trailingContent)
        /// Nesting deeper than ``JSONParser/Limits/maxDepth``.
        public static let tooDeep = Code(.tooDeep)
        /// A document larger than ``JSONParser/Limits/maxBytes``.
        public static let tooLarge = Code(.tooLarge)

        /// The code's stable text, for example `invalid-utf8`.
        public var description: String {
            value.rawValue
        }
    }

    /// The reason.
    public var code: Code
    /// Zero-based byte offset of the first byte that could not be accepted.
    public var offset: Int
    /// What is wrong and what would be valid.
    public var message: String

    /// Creates an error.
    public init(code: Code, offset: Int, message: String) {
        self.code = code
        self.offset = offset
        self.message = message
    }

    /// `"<message> at byte <offset>"`.
    public var description: String {
        "\(message) at byte \(offset)"
    }
}
