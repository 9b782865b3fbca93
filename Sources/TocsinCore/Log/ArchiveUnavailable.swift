// SPDX-License-Identifier: Apache-2.0

/// A read of archived history that cannot be answered: the archive file that holds the range is
/// missing, unreadable or does not verify (docs/archives.md).
///
/// It names the file and says how to fix it, so the HTTP layer can answer with a problem document
/// rather than a server error. It never carries event data.
public struct ArchiveUnavailable: Error, Sendable, Hashable, CustomStringConvertible {
    /// The archive file's name (`archive-<first>-<last>.tocsin-archive`).
    public var archive: String
    /// The first sequence number the read needed from it.
    public var sequence: Int64
    /// What is wrong and how to fix it.
    public var message: String

    /// Creates the error.
    public init(archive: String, sequence: Int64, message: String) {
        self.archive = archive
        self.sequence = sequence
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
