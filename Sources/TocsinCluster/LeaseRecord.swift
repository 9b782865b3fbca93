// SPDX-License-Identifier: Apache-2.0

/// What a lease key holds in the KV bucket: who holds the lease and until when.
public struct LeaseRecord: Sendable, Hashable {
    /// The holder's candidate identity, unique to one running process
    /// (see ``LeaseElection/candidateIdentity(node:using:)``).
    public var holder: String
    /// When the lease ends, in milliseconds since the Unix epoch on the holder's clock; 0 for a
    /// released lease, which anyone may take at once.
    public var expiresMilliseconds: Int64

    /// Creates a record.
    public init(holder: String, expiresMilliseconds: Int64) {
        self.holder = holder
        self.expiresMilliseconds = expiresMilliseconds
    }
}

/// A lease key as read from the bucket: its record and the revision that wrote it.
public struct LeaseEntry: Sendable, Hashable {
    /// The record.
    public var record: LeaseRecord
    /// The KV revision of the write that stored it.
    public var revision: UInt64

    /// Creates an entry.
    public init(record: LeaseRecord, revision: UInt64) {
        self.record = record
        self.revision = revision
    }
}

/// What a KV write (create, or update at an expected revision) answered.
public enum LeaseWriteOutcome: Sendable, Hashable {
    /// The write was stored at this revision.
    case succeeded(revision: UInt64)
    /// The key existed (create) or had another revision (update): nothing was written.
    case conflict
    /// An error or a timeout: the write may or may not have been stored.
    case failed
}
