// SPDX-License-Identifier: Apache-2.0

/// A failure of the embedded store, with a message that says how to fix it.
///
/// Messages never contain event payloads or key material.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// A stable, machine-readable reason.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// The store is shutting down and accepts no more appends.
        public static let closed = Code("closed")
        /// Too many events are waiting for the writer; the caller should retry later.
        public static let overloaded = Code("overloaded")
        /// A key or data file is missing, unreadable or malformed.
        public static let keyFile = Code("key-file")
        /// A stored row could not be read back.
        public static let corruptRecord = Code("corrupt-record")
        /// The operation is not allowed.
        public static let refused = Code("refused")
        /// The name is already taken.
        public static let conflict = Code("conflict")
        /// The log does not verify from its last signed checkpoint (or against the witness): the
        /// server refuses to start rather than sign over it.
        public static let verificationFailed = Code("verification-failed")
        /// The checkpoint witness file cannot be used.
        public static let witness = Code("witness")
        /// An archive file cannot be written, read or used.
        public static let archive = Code("archive")

        /// The code's stable text.
        public var description: String {
            name
        }
    }

    /// The reason.
    public var code: Code
    /// What happened and how to fix it.
    public var message: String
    /// The log's sequence number the error is about, when there is one.
    public var sequence: Int64?

    /// Creates an error.
    public init(code: Code, message: String, sequence: Int64? = nil) {
        self.code = code
        self.message = message
        self.sequence = sequence
    }

    /// The message.
    public var description: String {
        message
    }
}
