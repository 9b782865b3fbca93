// SPDX-License-Identifier: Apache-2.0

/// Why a native record was refused: where (a byte offset in the record, or the JSON path of the
/// offending member) and what is wrong.
///
/// Messages describe the shape, never the record's values.
public struct SourceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Byte offset in the record where the problem was found (0 when ``path`` locates it).
    public var offset: Int
    /// The JSON path of the offending member, for JSON records (`$.userIdentity.type`).
    public var path: String?
    /// What is wrong.
    public var message: String

    /// Creates an error located by byte offset.
    public init(offset: Int, message: String) {
        self.offset = offset
        self.path = nil
        self.message = message
    }

    /// Creates an error located by JSON path.
    public init(path: String, message: String) {
        self.offset = 0
        self.path = path
        self.message = message
    }

    /// `$.path: message` or `byte N: message`.
    public var description: String {
        if let path {
            return "\(path): \(message)"
        }
        return "byte \(offset): \(message)"
    }
}
