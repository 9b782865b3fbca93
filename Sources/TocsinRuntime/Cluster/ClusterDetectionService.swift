// SPDX-License-Identifier: Apache-2.0

#if NATS
import Crypto
import Logging
import ServiceLifecycle
import Synchronization
import TocsinCluster
import TocsinCore
import TocsinNATS
import TocsinStore

/// Detection on a cluster (`--backend nats`): one node at a time, elected through the lease
/// `detector` in the bucket `tocsin-leases`, runs the stateful detections over the event stream.
///
/// The holder reads the stream from the cursor kept in the same bucket (`detector.cursor`), rebuilds
/// the engines' state from the stretch of stream their windows reach back to (as a restarted single
/// node does), appends its alerts to the stream, then saves the cursor. When the holder dies, the
/// lease expires and another node takes over from the saved cursor: it raises again the alerts of the
/// batch the dead node had not saved yet, with the same ids (derived from a secret the nodes share,
/// `detector.id-key` in the bucket), so the stream's duplicate window stores each alert once.
struct ClusterDetectionService: Service {
    static let leaseKey = "detector"
    static let cursorKey = "detector.cursor"
    static let secretKey = "detector.id-key"

    let connection: NATSConnection
    let log: any EventLog
    let node: String
    let replicas: Int
    /// The embedded store's detection, whose rules, clock, metrics and logger this one uses.
    let template: DetectionService

    func run() async throws {
        guard let (bucket, identifiers) = await setUp() else {
            return
        }
        let detection = DetectionService(
            log: log,
            identifiers: identifiers,
            cursor: KeyValueDetectionCursor(bucket: bucket, key: Self.cursorKey),
            state: template.state,
            clock: template.clock,
            logger: template.logger,
            metrics: template.metrics,
            openEvent: template.openEvent
        )
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var random = SystemRandomNumberGenerator()
            let lease = LeaseDriver(
                bucket: bucket,
                key: Self.leaseKey,
                candidate: LeaseElection.candidateIdentity(node: node, using: &random),
                clock: template.clock,
                logger: template.logger
            )
            let running = Mutex<Task<Void, Never>?>(nil)
            await withGracefulShutdownHandler {
                await lease.run { change in
                    switch change {
                    case .lead:
                        running.withLock { task in
                            if task == nil {
                                template.logger.notice("This node now runs the cluster's detections.")
                                task = Task { await Self.keepRunning(detection) }
                            }
                        }
                    case .stepDown:
                        let task = running.withLock { task in
                            defer { task = nil }
                            return task
                        }
                        task?.cancel()
                        await task?.value
                    }
                }
            } onGracefulShutdown: {
                lease.shutdown()
            }
            let task = running.withLock { $0 }
            task?.cancel()
            await task?.value
        }
    }

    /// Runs `detection` until it ends (cancelled, or the node shutting down), starting it again 2 s
    /// after it fails (the cursor unreadable).
    private static func keepRunning(_ detection: DetectionService) async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await detection.run()
                return
            } catch {
                detection.logger.error(
                    "Detection stopped; starting it again in 2 s.",
                    metadata: ["error": "\(error)"]
                )
                try? await Task.sleep(for: .seconds(2))
            }
        }
    }

    /// The lease bucket and the shared ids, once the cluster answers; `nil` when the node stops first.
    private func setUp() async -> (NATSKeyValue, EventIdentifiers)? {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let bucket = try await connection.keyValue(
                    NATSKeyValueConfiguration(bucket: "tocsin-leases", history: 1, replicas: replicas)
                )
                return (bucket, try await sharedIdentifiers(bucket))
            } catch {
                template.logger.warning(
                    "The lease bucket cannot be read yet, so this node does not stand for the detector lease; trying again in 2 s.",
                    metadata: ["error": "\(error)"]
                )
                try? await Task.sleep(for: .seconds(2))
            }
        }
        return nil
    }

    /// The ids every node derives alike, from a random secret the first node stores in the bucket.
    private func sharedIdentifiers(_ bucket: NATSKeyValue) async throws -> EventIdentifiers {
        let fresh = Hex.encode(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
        do {
            _ = try await bucket.create(Self.secretKey, value: Array(fresh.utf8))
        } catch let error as NATSError where error.code == .wrongRevision {
            // Another node stored it first.
        }
        guard let stored = try await bucket.get(Self.secretKey),
            let secret = Hex.decode(String(decoding: stored.value, as: UTF8.self)), secret.count == 32
        else {
            throw ClusterSetupError(
                message: "the key \(Self.secretKey) of the bucket tocsin-leases is not 64 hex digits; "
                    + "delete it (nats kv del tocsin-leases \(Self.secretKey)) and restart the nodes"
            )
        }
        return EventIdentifiers(sharedSecret: secret)
    }
}

/// The detector's cursor as a decimal number in a bucket key.
struct KeyValueDetectionCursor: DetectionCursor {
    let bucket: NATSKeyValue
    let key: String

    func load() async throws -> Int64 {
        guard let entry = try await bucket.get(key) else {
            return 0
        }
        guard let value = Int64(String(decoding: entry.value, as: UTF8.self)), value >= 0 else {
            throw ClusterSetupError(message: "the key \(key) of the bucket tocsin-leases is not a sequence number")
        }
        return value
    }

    func save(_ sequence: Int64) async throws {
        _ = try await bucket.put(key, value: Array(String(sequence).utf8))
    }
}
#endif
