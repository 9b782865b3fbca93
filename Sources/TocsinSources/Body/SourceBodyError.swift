// SPDX-License-Identifier: Apache-2.0

/// Why a body of native records was refused as a whole, before any record was stored.
///
/// Messages say which limit was reached and how to send the records instead; they never quote the
/// body.
public struct SourceBodyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem it is (stable, for mapping to a status).
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String {
            case invalidBody = "invalid-body"
            case decompressedTooLarge = "decompressed-too-large"
            case tooManyRecords = "too-many-records"
            case documentTooLarge = "document-too-large"
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// The body is not valid gzip (corrupt or truncated).
        public static let invalidBody = Code(.invalidBody)
        /// Decompressed, the body is larger than ``SourceDecoder/Limits/maxDecompressedBytes``.
        public static let decompressedTooLarge = Code(.decompressedTooLarge)
        /// The body holds more than ``SourceDecoder/Limits/maxRecords`` records.
        public static let tooManyRecords = Code(.tooManyRecords)
        /// One JSON document is larger, or holds more values, than the decoder reads at once.
        public static let documentTooLarge = Code(.documentTooLarge)

        /// The stable name, for example `too-many-records`.
        public var description: String {
            value.rawValue
        }
    }

    /// What kind of problem it is.
    public var code: Code
    /// What is wrong and what to do instead.
    public var message: String
    /// The limit that was reached, when one was (bytes, records or values).
    public var limit: Int?

    /// Creates an error.
    public init(code: Code, message: String, limit: Int? = nil) {
        self.code = code
        self.message = message
        self.limit = limit
    }

    /// The message.
    public var description: String {
        message
    }
}
