// SPDX-License-Identifier: Apache-2.0

/// Which detection partitions this node should own, given the live nodes: balanced, stable, and
/// handed over release-before-claim.
///
/// Every node computes the same placement from the same heartbeats: for each partition in order,
/// the live nodes are ranked by rendezvous (highest random weight) score,
/// `StableHash.hash([node, String(partition)])`, and the partition goes to the best-ranked node
/// that has fewer than `⌈partitions ÷ nodes⌉` partitions so far. Rendezvous ranking keeps movement
/// small (a leaving node's partitions are spread over the others; a joining node takes partitions
/// mostly from each of the others); the load bound keeps every node within one partition of an
/// equal share.
///
/// Ownership itself is a ``LeaseElection`` per partition key. The plan only says which elections
/// to run: ``Plan/claim`` starts one, ``Plan/release`` shuts one down (which stops the partition's
/// work, then releases the lease). A new owner's election stands by until the old owner's lease is
/// released or expired, so two nodes never own a partition at once, even while their views of
/// the membership differ.
public struct PartitionAssignment: Sendable {
    /// A node's heartbeat: its name and when its heartbeat entry expires (its clock).
    public struct Member: Sendable, Hashable {
        /// The node's configured name (stable across restarts, so its partitions come back to it).
        public var node: String
        /// When the heartbeat expires, in milliseconds since the epoch.
        public var expiresMilliseconds: Int64

        /// Creates a member.
        public init(node: String, expiresMilliseconds: Int64) {
            self.node = node
            self.expiresMilliseconds = expiresMilliseconds
        }
    }

    /// What this node should do about partition ownership.
    public struct Plan: Sendable, Hashable {
        /// The node each partition should belong to, by partition number.
        public var owners: [String]
        /// Partitions to start contending for (start a lease election), in order.
        public var claim: [Int]
        /// Partitions to give up (shut their lease election down: stop the work, then release).
        public var release: [Int]
        /// Partitions assigned to this node whose lease another holder still has: their election
        /// stands by until that holder releases it or it expires.
        public var awaitingRelease: [Int]

        /// Creates a plan.
        public init(owners: [String], claim: [Int], release: [Int], awaitingRelease: [Int]) {
            self.owners = owners
            self.claim = claim
            self.release = release
            self.awaitingRelease = awaitingRelease
        }
    }

    /// The partitions.
    public let map: PartitionMap
    /// This node's configured name.
    public let node: String
    /// This process's lease candidate identity (see ``LeaseElection/candidateIdentity(node:using:)``).
    public let candidate: String

    /// Creates the assignment for one node.
    public init(map: PartitionMap, node: String, candidate: String) {
        self.map = map
        self.node = node
        self.candidate = candidate
    }

    /// The plan at `now`.
    ///
    /// - Parameters:
    ///   - members: The heartbeat entries read from the bucket; expired ones are left out, and
    ///     this node always counts as live.
    ///   - contending: Partitions this node runs a lease election for now.
    ///   - owners: The partition lease records read from the bucket, by partition.
    ///   - now: This node's clock, in milliseconds since the epoch.
    /// - Returns: The placement of every partition and what this node should claim and release.
    public func plan(
        members: [Member],
        contending: Set<Int>,
        owners: [Int: LeaseRecord],
        now: Int64
    ) -> Plan {
        let live = Set(members.filter { now < $0.expiresMilliseconds }.map(\.node)).union([node])
        let desired = Self.placement(of: map.count, over: live)
        var claim: [Int] = []
        var release: [Int] = []
        var awaiting: [Int] = []
        for partition in 0..<map.count {
            let isMine = desired[partition] == node
            if isMine, !contending.contains(partition) {
                claim.append(partition)
            }
            if !isMine, contending.contains(partition) {
                release.append(partition)
            }
            if isMine, let owner = owners[partition], owner.holder != candidate, now < owner.expiresMilliseconds {
                awaiting.append(partition)
            }
        }
        return Plan(owners: desired, claim: claim, release: release, awaitingRelease: awaiting)
    }

    /// The owner of each of `count` partitions over `nodes` (bounded-load rendezvous hashing).
    ///
    /// - Precondition: `nodes` is not empty.
    public static func placement(of count: Int, over nodes: Set<String>) -> [String] {
        precondition(!nodes.isEmpty, "placement needs at least one node")
        let capacity = (count + nodes.count - 1) / nodes.count
        let names = nodes.sorted()
        var load: [String: Int] = [:]
        var owners: [String] = []
        owners.reserveCapacity(count)
        for partition in 0..<count {
            let label = String(partition)
            let ranked = names.map { (name: $0, score: StableHash.hash([$0, label])) }
                .sorted { $0.score != $1.score ? $0.score > $1.score : $0.name < $1.name }
            // Some node always has room: fewer than `count` partitions are placed so far, and the
            // nodes hold `nodes × capacity ≥ count` between them.
            let owner = ranked.first { load[$0.name, default: 0] < capacity }?.name ?? ranked[0].name
            load[owner, default: 0] += 1
            owners.append(owner)
        }
        return owners
    }
}
