// SPDX-License-Identifier: Apache-2.0

import Logging
import ServiceLifecycle
import TocsinCore
import TocsinMetrics
import TocsinResponse
import TocsinServer

/// What a node on a NATS JetStream cluster (`--backend nats`) serves from the cluster instead of the
/// embedded store: the event log on the stream, the identities in the bucket, readiness and metrics
/// from the cluster, and the services that keep them current.
struct ClusterNode: Sendable {
    /// The event stream, with cluster failures turned into ``LogUnavailable``.
    let log: any EventLog
    /// Identities and keys in the bucket.
    let keys: any KeyAdministration
    /// The key ring the bucket's watcher keeps current.
    let ring: KeyRing
    /// Throws ``LogUnavailable`` with the reason while the node has no connection or the stream no leader.
    let readiness: @Sendable () async throws -> Void
    /// Reads the cluster's state into the metrics, before a scrape.
    let refreshMetrics: @Sendable () async -> Void
    /// Routing and delivery on the cluster's shared consumers.
    let routing: ClusterRouting
    /// The watcher of the identities bucket and the chainer.
    let services: [any Service]
    /// Closes the connection, after the services stopped.
    let close: @Sendable () async -> Void

    /// Connects to the cluster of `settings` and prepares the node, or returns `nil` without settings
    /// (the embedded store).
    ///
    /// - Throws: ``ClusterSetupError`` in a build without the `NATS` trait, or when the cluster cannot
    ///   be reached or refuses the stream or the bucket.
    static func start(
        _ settings: ClusterSettings?,
        dataDirectory: String,
        metrics: ClusterMetrics,
        clock: @escaping @Sendable () -> Int64,
        logger: Logger
    ) async throws -> ClusterNode? {
        #if NATS
        guard let settings else {
            return nil
        }
        return try await startNATS(
            settings,
            dataDirectory: dataDirectory,
            metrics: metrics,
            clock: clock,
            logger: logger
        )
        #else
        guard settings == nil else {
            throw ClusterSetupError(
                message: "this tocsin was built without the NATS backend; rebuild it with "
                    + "'swift build -c release --traits NATS' (needs libnats-dev; docs/scale-out.md), "
                    + "or use --backend sqlite"
            )
        }
        return nil
        #endif
    }
}

/// What a cluster node routes and delivers with instead of the embedded store's router and queue.
struct ClusterRouting: Sendable {
    /// The deliveries every node shares.
    let queue: any DeliveryQueue
    /// The shared dead letters and the stream that records their changes, for the API.
    let administration: ClusterAdministration
    /// What runs beside the delivery loop (the queue's in-progress heartbeat).
    let services: [any Service]
    /// The cluster's router, made from the settings of the embedded store's.
    let router: @Sendable (RouterService) -> any Service
    /// The cluster's detection (one node at a time), made from the settings of the embedded store's.
    let detector: @Sendable (DetectionService) -> any Service
}

/// The node could not join the cluster; the message says why and how to fix it.
public struct ClusterSetupError: Error, Sendable, CustomStringConvertible {
    /// What went wrong and how to fix it.
    public var message: String

    /// The message.
    public var description: String { message }
}
