// SPDX-License-Identifier: Apache-2.0

/// Which of a fixed number of partitions a detection group key belongs to.
///
/// `partition = StableHash.hash(groupKey) % count` (see ``StableHash``), so every node, and every
/// restart of every node, puts a key in the same partition. The count is fixed for the life of a
/// cluster: changing it moves almost every key, so its state would have to be rebuilt from the
/// stream.
public struct PartitionMap: Sendable, Hashable {
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
}
