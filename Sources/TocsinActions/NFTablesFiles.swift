// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// The writers of nftables files, one per path, so that writes to one file are serialised even
/// when several targets name it.
public final class NFTablesFiles: Sendable {
    private let writers = Mutex<[String: NFTablesFile]>([:])

    /// Creates an empty set of writers.
    public init() {}

    /// The writer of `path`, created on first use.
    public func file(at path: String) -> NFTablesFile {
        writers.withLock { writers in
            if let writer = writers[path] {
                return writer
            }
            let writer = NFTablesFile(path: path)
            writers[path] = writer
            return writer
        }
    }
}
