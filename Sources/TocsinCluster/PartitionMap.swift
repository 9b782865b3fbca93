// SPDX-License-Identifier: Apache-2.0

/// Which of a fixed number of partitions a detection group key belongs to, and the subject each
/// partition's events are published on.
///
/// `partition = StableHash.hash(groupKey) % count` (see ``StableHash``), so every node, and every
/// restart of every node, puts a key in the same partition. The count is fixed for the life of a
/// cluster: changing it moves almost every key, so its state would have to be rebuilt from the
/// stream.
public struct PartitionMap: Sendable, Hashable {
    /// The subject prefix of detection partitions.
    public static let subjectPrefix = "tocsin.detect.p"

    /// The most partitions a map has.
    public static let maximumCount = 10_000

    /// How many partitions there are.
    public let count: Int

    /// Creates a map over `count` partitions.
    ///
    /// - Precondition: `count` is between 1 and 10,000.
    public init(count: Int) {
        precondition((1...Self.maximumCount).contains(count), "the partition count must be between 1 and 10,000")
        self.count = count
    }

    /// The partition of a group key (the values a stateful rule groups by, in order).
    public func partition(forGroup group: [String]) -> Int {
        Int(StableHash.hash(group) % UInt64(count))
    }

    /// The subject of `partition`: `tocsin.detect.p` and the number, zero-padded to at least two
    /// digits and to the width of the largest partition number (`tocsin.detect.p07` of 32).
    ///
    /// - Precondition: `partition` is in `0..<count`.
    public func subject(for partition: Int) -> String {
        precondition((0..<count).contains(partition), "no such partition")
        let width = max(2, String(count - 1).count)
        let digits = String(partition)
        return Self.subjectPrefix + String(repeating: "0", count: width - digits.count) + digits
    }

    /// The subject filter that covers every partition, for the stream's configuration:
    /// `tocsin.detect.*`.
    public var subjectWildcard: String { "tocsin.detect.*" }

    /// The partition a subject names, or `nil` when it is not one of this map's subjects.
    public func partition(ofSubject subject: String) -> Int? {
        guard subject.hasPrefix(Self.subjectPrefix) else {
            return nil
        }
        let digits = subject.dropFirst(Self.subjectPrefix.count)
        guard let partition = Int(digits), (0..<count).contains(partition), self.subject(for: partition) == subject
        else {
            return nil
        }
        return partition
    }
}
