// SPDX-License-Identifier: Apache-2.0

/// Why a proof bundle could not be made or does not verify, with a message that says what and where.
///
/// Messages name sequence numbers, JSON paths and roles, never an event's payload values.
public struct BundleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable reason.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// The file is not a bundle in the canonical form of its version (a JSON path says where).
        public static let malformed = Code("malformed")
        /// The file names a format or version this build does not know.
        public static let unsupported = Code("unsupported")
        /// A record's content or a digest does not hash to the chain hash the proof needs.
        public static let chainMismatch = Code("chain-mismatch")
        /// A checkpoint's signature does not verify with the given public key.
        public static let badSignature = Code("bad-signature")
        /// A proven record does not say what the bundle claims it says (alert, evidence, rule, action).
        public static let contentMismatch = Code("content-mismatch")
        /// The requested alert or event is not in the log.
        public static let notFound = Code("not-found")
        /// A record the bundle needs lies after the last signed checkpoint.
        public static let notCheckpointed = Code("not-checkpointed")
        /// The log itself does not verify where the bundle needs it.
        public static let logDoesNotVerify = Code("log-does-not-verify")

        /// The code's stable text.
        public var description: String {
            name
        }
    }

    /// The reason.
    public var code: Code
    /// What failed, where, and what to do.
    public var message: String
    /// The log's sequence number the failure is about, when there is one.
    public var sequence: Int64?

    /// Creates an error.
    public init(code: Code, message: String, sequence: Int64? = nil) {
        self.code = code
        self.message = message
        self.sequence = sequence
    }

    /// `"code: message"`.
    public var description: String {
        "\(code): \(message)"
    }
}
