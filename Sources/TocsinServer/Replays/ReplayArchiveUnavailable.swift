// SPDX-License-Identifier: Apache-2.0

/// A replay's range reaches into an archive file that is missing or does not verify, so the replay
/// is refused rather than run over a gap or over records nobody can vouch for.
///
/// The API answers `503` with the problem `urn:tocsin:problem:archive-unavailable`, whose `archive`
/// member names the file.
public struct ReplayArchiveUnavailable: Error, Sendable, Hashable {
    /// The archive file's name.
    public var file: String
    /// What is wrong with it and how to fix it.
    public var message: String

    /// Creates the error.
    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }
}
