// SPDX-License-Identifier: Apache-2.0

/// Why a native record was refused: where (a byte offset in the record) and what is wrong.
///
/// Messages describe the shape, never the record's values.
public struct SourceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Byte offset in the record where the problem was found.
    public var offset: Int
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    /// `byte N: message`.
    public var description: String {
        "byte \(offset): \(message)"
    }
}
