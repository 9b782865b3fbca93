// SPDX-License-Identifier: Apache-2.0

/// A failure of an action's host-side step (a file that could not be written), naming what failed
/// and how to fix it, never a payload value or a secret.
public struct ActionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case fileWrite = "file-write"
            case store
        }

        private let value: Value

        /// A file could not be created, written, synced or renamed.
        public static let fileWrite = Code(value: .fileWrite)
        /// The store could not be read or written.
        public static let store = Code(value: .store)

        /// The code's stable name.
        public var description: String { value.rawValue }
    }

    /// What kind of failure.
    public var code: Code
    /// What failed (path and errno, or the store's error type) and how to fix it.
    public var message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
