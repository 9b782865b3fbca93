// SPDX-License-Identifier: Apache-2.0

#if NATS
import Crypto
import Logging
import ServiceLifecycle
import TocsinCluster
import TocsinCore
import TocsinMetrics
import TocsinNATS
import TocsinStore

/// Detection on a cluster (`--backend nats`), partitioned by group key over the nodes.
///
/// The stateful detections are split over a fixed number of partitions (``DetectionPartitions``),
/// stored once for the cluster in the bucket `tocsin-leases` (`detection.partitions`). Each node
/// announces itself there (`detection.members.<node>`), places the partitions over the live nodes
/// with ``TocsinCluster/PartitionAssignment``, and stands for the lease of each partition placed on
/// it (`detection.partition.<p>`, see ``PartitionOwnership``). It runs one ``DetectionService`` over
/// the stream for the partitions it holds: every event is read and evaluated once per node, and each
/// partition keeps the state of its own groups, from its own cursor (`detection.cursor.<p>`).
///
/// When a node dies, its heartbeat and then its leases expire, and the partitions move to the other
/// nodes, which rebuild their state from the stream (silent up to each partition's cursor) and raise
/// what the dead node had not recorded. Alert ids derive from a secret the nodes share
/// (`detector.id-key`), so an alert raised again after a move is a duplicate the stream's 2-minute
/// window stores once; the alerts equal a single node's on the same input.
struct ClusterDetectionService: Service {
    static let secretKey = "detector.id-key"
    /// The cursor of the detections before they were partitioned: where a partition never saved starts.
    static let legacyCursorKey = "detector.cursor"
    static let partitionCountKey = "detection.partitions"
    static let cursorPrefix = "detection.cursor."

    let connection: NATSConnection
    let log: any EventLog
    let node: String
    let replicas: Int
    /// The partition count this node would create the cluster's with (the stored count wins).
    let partitionCount: Int
    /// The embedded store's detection, whose rules, clock, metrics and logger this one uses.
    let template: DetectionService
    let metrics: ClusterMetrics

    func run() async throws {
        guard let (bucket, identifiers, map) = await setUp() else {
            return
        }
        var detection = DetectionService(
            log: log,
            identifiers: identifiers,
            cursor: KeyValueDetectionCursor(bucket: bucket),
            state: template.state,
            clock: template.clock,
            logger: template.logger,
            metrics: template.metrics,
            openEvent: template.openEvent
        )
        detection.map = map
        detection.partitions = []
        let host = PartitionedDetection(detection: detection, metrics: metrics)
        var random = SystemRandomNumberGenerator()
        let ownership = PartitionOwnership(
            bucket: bucket,
            assignment: PartitionAssignment(
                map: map,
                node: node,
                candidate: LeaseElection.candidateIdentity(node: node, using: &random)
            ),
            host: host,
            clock: template.clock,
            logger: template.logger
        )
        await withGracefulShutdownHandler {
            await ownership.run()
        } onGracefulShutdown: {
            ownership.shutdown()
        }
    }

    /// The lease bucket, the shared ids and the cluster's partitions, once the cluster answers;
    /// `nil` when the node stops first.
    private func setUp() async -> (NATSKeyValue, EventIdentifiers, PartitionMap)? {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let bucket = try await connection.keyValue(
                    NATSKeyValueConfiguration(bucket: "tocsin-leases", history: 1, replicas: replicas)
                )
                return (bucket, try await sharedIdentifiers(bucket), try await partitionMap(bucket))
            } catch {
                template.logger.warning(
                    "The lease bucket cannot be read yet, so this node runs no detection partition; trying again in 2 s.",
                    metadata: ["error": "\(error)"]
                )
                try? await Task.sleep(for: .seconds(2))
            }
        }
        return nil
    }

    /// The value `fresh` of `key`, stored by whichever node stores it first, as every node reads it.
    private func shared(_ key: String, fresh: String, in bucket: NATSKeyValue) async throws -> String? {
        do {
            _ = try await bucket.create(key, value: Array(fresh.utf8))
        } catch let error as NATSError where error.code == .wrongRevision {
            // Another node stored it first.
        }
        return try await bucket.get(key).map { String(decoding: $0.value, as: UTF8.self) }
    }

    /// The ids every node derives alike, from a random secret the first node stores in the bucket.
    private func sharedIdentifiers(_ bucket: NATSKeyValue) async throws -> EventIdentifiers {
        let fresh = Hex.encode(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
        guard let stored = try await shared(Self.secretKey, fresh: fresh, in: bucket),
            let secret = Hex.decode(stored), secret.count == 32
        else {
            throw ClusterSetupError(
                message: "the key \(Self.secretKey) of the bucket tocsin-leases is not 64 hex digits; "
                    + "delete it (nats kv del tocsin-leases \(Self.secretKey)) and restart the nodes"
            )
        }
        return EventIdentifiers(sharedSecret: secret)
    }

    /// The cluster's partitions: the count the first node stored (a node configured otherwise
    /// follows it, and says so).
    private func partitionMap(_ bucket: NATSKeyValue) async throws -> PartitionMap {
        guard let stored = try await shared(Self.partitionCountKey, fresh: String(partitionCount), in: bucket),
            let count = Int(stored), (1...PartitionMap.maximumCount).contains(count)
        else {
            throw ClusterSetupError(
                message: "the key \(Self.partitionCountKey) of the bucket tocsin-leases is not a partition count "
                    + "from 1 to \(PartitionMap.maximumCount)"
            )
        }
        if count != partitionCount {
            template.logger.warning(
                "The cluster's detections have another partition count than this node's setting; the cluster's is used.",
                metadata: ["detect.partitions": "\(count)", "detect.configured": "\(partitionCount)"]
            )
        }
        return PartitionMap(count: count)
    }
}

/// The detection partitions' cursors as decimal numbers in bucket keys (`detection.cursor.<p>`).
struct KeyValueDetectionCursor: DetectionCursor {
    let bucket: NATSKeyValue

    func load(_ partitions: [Int]) async throws -> [Int: Int64] {
        let legacy = try await read(ClusterDetectionService.legacyCursorKey) ?? 0
        var cursors: [Int: Int64] = [:]
        for partition in partitions {
            cursors[partition] = try await read(ClusterDetectionService.cursorPrefix + String(partition)) ?? legacy
        }
        return cursors
    }

    func save(_ partitions: [Int], through sequence: Int64) async throws {
        let value = Array(String(sequence).utf8)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for partition in partitions {
                group.addTask {
                    _ = try await bucket.put(ClusterDetectionService.cursorPrefix + String(partition), value: value)
                }
            }
            try await group.waitForAll()
        }
    }

    private func read(_ key: String) async throws -> Int64? {
        guard let entry = try await bucket.get(key) else {
            return nil
        }
        guard let value = Int64(String(decoding: entry.value, as: UTF8.self)), value >= 0 else {
            throw ClusterSetupError(message: "the key \(key) of the bucket tocsin-leases is not a sequence number")
        }
        return value
    }
}
#endif
