// SPDX-License-Identifier: Apache-2.0

#if NATS
import Foundation
import Logging
import ServiceLifecycle
import TocsinCluster
import TocsinCore
import TocsinMetrics
import TocsinServer
package import TocsinNATS
import TocsinStore

extension ClusterNode {
    /// Connects to the cluster, ensures the event stream and the identities bucket, and bootstraps
    /// the admin identity when the bucket has none.
    static func startNATS(
        _ settings: ClusterSettings,
        dataDirectory: String,
        metrics: ClusterMetrics,
        clock: @escaping @Sendable () -> Int64,
        logger: Logger
    ) async throws -> ClusterNode {
        metrics.start(node: settings.nodeName)
        if !settings.authentication.authenticates {
            logger.warning(
                "Connecting to NATS WITHOUT CREDENTIALS: whoever reaches these servers can read the log, publish into it and rewrite the identities. Pass --nats-user with --nats-password-file, or --nats-creds (docs/scale-out.md#security).",
                metadata: ["nats.servers": "\(settings.servers.joined(separator: ","))"]
            )
        }
        logger.info("Connecting to NATS.", metadata: ["nats.authentication": "\(settings.authentication)"])
        let connection: NATSConnection
        do {
            connection = try await NATSConnection.connect(
                NATSConnectionConfiguration(
                    servers: settings.servers,
                    name: "tocsin-" + settings.nodeName,
                    authentication: settings.authentication.nats
                )
            )
        } catch let error as NATSError {
            throw ClusterSetupError(
                message: error.code == .unauthorized
                    ? "NATS refused this node (\(error.message))"
                    : "cannot connect to the NATS cluster (\(error.message)); check --nats-url and that nats-server runs"
            )
        }
        do {
            var configuration = JetStreamLogConfiguration(
                replicas: settings.replicas,
                maxRetryWait: settings.publishWait
            )
            // The event mesh: the other regions' streams are copied into this one (docs/scale-out.md).
            configuration.stream.sources = settings.sourceDomains.map {
                NATSStreamSource(name: configuration.stream.name, apiPrefix: "$JS.\($0).API")
            }
            // A cluster that just started, or is electing a leader, times out for a few seconds.
            let stream = try await whileUnavailable(logger: logger) {
                try await JetStreamEventLog.open(
                    connection: connection,
                    configuration: configuration,
                    onRetry: { metrics.publishRetried(messages: $0) },
                    now: clock
                )
            }
            let log = ClusterEventLog(base: stream, metrics: metrics)
            let bucket = try await whileUnavailable(logger: logger) {
                try await connection.keyValue(ClusterKeyAdmin.bucketConfiguration(replicas: settings.replicas))
            }
            let keys = ClusterKeyAdmin(
                bucket: bucket,
                log: log,
                dataDirectory: dataDirectory,
                clock: clock,
                isConnected: { connection.isConnected },
                bucketLastRevision: {
                    try await connection.streamInfo("KV_" + ClusterKeyAdmin.bucketName).lastSequence
                },
                logger: logger
            )
            try await whileUnavailable(logger: logger) { try await keys.catchUp() }
            // A bucket just created may not have a leader yet.
            if try await whileUnavailable(logger: logger, { try await keys.bootstrap() }) {
                logger.notice(
                    "Created the cluster's admin API key; it is in this node's data directory only.",
                    metadata: ["key.path": "\(dataDirectory)/admin.key"]
                )
            }
            // Every node stands for the chain lease; its holder chains and signs the stream.
            let witness = try settings.checkpointWitnessPath.map {
                try CheckpointWitness.open(path: $0, dataDirectory: dataDirectory, logger: logger)
            }
            let chain = ChainService(
                connection: connection,
                node: settings.nodeName,
                signingKey: try KeyFiles.loadOrCreateNodeKey(in: dataDirectory),
                configuration: ChainServiceConfiguration(events: configuration, replicas: settings.replicas),
                logger: logger,
                onCheckpoint: { checkpoint, signature in
                    witness?.append(
                        CheckpointWitness.Entry(
                            sequence: checkpoint.sequence,
                            hash: checkpoint.hash,
                            signature: signature,
                            signedMilliseconds: checkpoint.signedMilliseconds
                        ),
                        logger: logger
                    )
                },
                witnessed: {
                    guard let path = settings.checkpointWitnessPath, FileManager.default.fileExists(atPath: path) else {
                        return []
                    }
                    return try CheckpointWitness.lines(in: path).map {
                        WitnessedCheckpoint(line: $0.number, sequence: $0.entry.sequence, hash: $0.entry.hash)
                    }
                }
            )
            let queue = try await whileUnavailable(logger: logger) {
                try await ClusterDeliveryQueue.open(
                    connection: connection,
                    replicas: settings.replicas,
                    log: log,
                    clock: clock,
                    logger: logger
                )
            }
            let routing = ClusterRouting(
                queue: queue,
                administration: ClusterAdministration(deadLetters: queue, log: log),
                services: [queue],
                router: { local in
                    ClusterRouterService(
                        connection: connection,
                        log: log,
                        identifiers: local.store.identifiers,
                        state: local.state,
                        wake: local.wake,
                        clock: local.clock,
                        logger: local.logger,
                        metrics: local.metrics,
                        openEvent: local.openEvent
                    )
                },
                detector: { local in
                    ClusterDetectionService(
                        connection: connection,
                        log: log,
                        node: settings.nodeName,
                        replicas: settings.replicas,
                        partitionCount: settings.detectionPartitions,
                        template: local,
                        metrics: metrics
                    )
                }
            )
            let readiness = ClusterReadiness(
                connection: connection,
                stream: configuration.stream.name,
                chain: chain,
                ring: keys.ring,
                deliveries: queue,
                metrics: metrics
            )
            logger.notice(
                "Backend nats: events go to the stream, identities to the bucket, and the node holding the chain lease chains and signs the stream; routing and deliveries run on consumers shared by the nodes, with rules and targets from --rules-dir only; the node holding the detector lease runs the detections. Replays do not run in this mode yet; incidents stay in this node's store (docs/scale-out.md).",
                metadata: [
                    "node": "\(settings.nodeName)", "nats.stream": "\(configuration.stream.name)",
                    "nats.bucket": "\(ClusterKeyAdmin.bucketName)", "nats.replicas": "\(settings.replicas)",
                ]
            )
            let services: [any Service] = [keys, chain]
            return ClusterNode(
                log: log,
                keys: keys,
                ring: keys.ring,
                readiness: { try await readiness.check() },
                refreshMetrics: { await readiness.refreshMetrics() },
                routing: routing,
                services: services,
                close: {
                    await bucket.close()
                    await connection.close()
                }
            )
        } catch {
            await connection.close()
            if let error = error as? NATSError {
                throw ClusterSetupError(
                    message: "the NATS cluster refused the event stream or the identities bucket (\(error.message))"
                )
            }
            throw error
        }
    }
}

/// Runs `operation` again every second while the cluster answers that it is unavailable, for up to
/// 30 s; then the last error is thrown.
private func whileUnavailable<T>(logger: Logger, _ operation: () async throws -> T) async throws -> T {
    let deadline = ContinuousClock.now + .seconds(30)
    while true {
        do {
            return try await operation()
        } catch let error as NATSError where error.code == .unavailable && ContinuousClock.now < deadline {
            logger.notice("The NATS cluster is not ready yet; trying again in 1 s.", metadata: ["error": "\(error)"])
            try await Task.sleep(for: .seconds(1))
        }
    }
}

/// `/readyz` and the cluster gauges: the connection is up, the event stream has a leader, and the
/// chain has not halted at a gap.
struct ClusterReadiness: Sendable {
    let connection: NATSConnection
    let stream: String
    let chain: ChainService
    let ring: KeyRing
    let deliveries: ClusterDeliveryQueue
    let metrics: ClusterMetrics

    /// Throws ``LogUnavailable`` naming what is missing.
    func check() async throws {
        metrics.reconnects(total: connection.reconnects)
        metrics.identities(suspended: ring.suspensionReason != nil)
        guard connection.isConnected else {
            metrics.stream(lastSequence: nil, hasLeader: false)
            throw LogUnavailable(
                message: "not connected to NATS: reconnecting to the servers of --nats-url",
                retryAfterSeconds: 5
            )
        }
        let info: NATSStreamInfo
        do {
            info = try await connection.streamInfo(stream)
        } catch let error as NATSError {
            metrics.stream(lastSequence: nil, hasLeader: false)
            throw LogUnavailable(
                message: "the event stream \(stream) has no leader or did not answer (\(error.code)); "
                    + "the cluster may be electing one or has lost its quorum",
                retryAfterSeconds: 5
            )
        }
        // A single server without clustering has no leader to name; a clustered stream must.
        let hasLeader = info.leader != nil || info.replicas.isEmpty
        metrics.stream(lastSequence: Int64(info.lastSequence), hasLeader: hasLeader)
        metrics.chain(
            leaseHeld: chain.holdsLease,
            unchainedRecords: Int64(info.lastSequence) - chain.chainedSequence
        )
        guard hasLeader else {
            throw LogUnavailable(
                message: "the event stream \(stream) has no leader; the cluster may be electing one",
                retryAfterSeconds: 5
            )
        }
        guard case .halted(let halt) = chain.state else {
            metrics.chain(halted: false)
            return
        }
        metrics.chain(halted: true)
        switch halt {
        case .gap:
            throw LogUnavailable(
                message: "the hash chain stopped at a hole in the stream (\(halt)): messages were removed "
                    + "before they were chained; see docs/scale-out.md",
                retryAfterSeconds: 60
            )
        case .witnessAhead(let line, let sequence, let storeEnd):
            throw LogUnavailable(
                message: "the hash chain is not continued: line \(line) of this node's checkpoint witness names "
                    + "sequence \(sequence), but the chain store ends at \(storeEnd) (rolled back); see docs/scale-out.md",
                retryAfterSeconds: 60
            )
        case .witnessMismatch(let line, let sequence):
            throw LogUnavailable(
                message: "the hash chain is not continued: the chain store's hash at sequence \(sequence) is not the "
                    + "one line \(line) of this node's checkpoint witness names (rewritten); see docs/scale-out.md",
                retryAfterSeconds: 60
            )
        }
    }

    /// Updates the gauges, the shared consumers' lag and redeliveries among them; a failure only
    /// leaves them showing no leader.
    func refreshMetrics() async {
        try? await check()
        if let router = try? await connection.consumerState(stream: stream, durable: ClusterRouterService.durable) {
            metrics.consumer(ClusterRouterService.durable, pending: router.pending, redelivered: router.redelivered)
        }
        for (name, state) in await deliveries.consumerStates() {
            metrics.consumer(name, pending: state.pending, redelivered: state.redelivered)
        }
    }
}

extension ClusterAuthentication {
    /// The same choices for the NATS adapter.
    package var nats: NATSAuthentication {
        var credentials = NATSAuthentication.Credentials.none
        if let userName, let password {
            credentials = .userPassword(user: userName, password: password)
        } else if let credentialsFile {
            credentials = .credentialsFile(path: credentialsFile)
        }
        return NATSAuthentication(
            credentials: credentials,
            trustedCertificatesFile: trustedCertificatesFile,
            certificateChainFile: certificateChainFile,
            privateKeyFile: privateKeyFile
        )
    }
}
#endif
