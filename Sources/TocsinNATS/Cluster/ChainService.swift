// SPDX-License-Identifier: Apache-2.0

#if NATS
public import Crypto
public import Logging
public import ServiceLifecycle
import Synchronization
public import TocsinCluster
public import TocsinCore

/// Where the cluster's hash chain lives and how it is run.
public struct ChainServiceConfiguration: Sendable, Hashable {
    /// The event stream that is chained.
    public var events: JetStreamLogConfiguration
    /// The chain store: a small stream of ``ChainStoreRecord``s on ``storeSubject``.
    public var store: NATSStreamConfiguration
    /// The bucket holding the chain lease (no TTL: the lease records carry their own expiry).
    public var leases: NATSKeyValueConfiguration
    /// The lease key.
    public var leaseKey: String
    /// The lease's timing.
    public var lease: LeaseElection.Configuration
    /// The chainer's record size and checkpoint cadence.
    public var chainer: ClusterChainer.Configuration

    /// Creates a configuration: chain store `TOCSIN_CHAIN` on `tocsin.chain`, lease `chain` in bucket
    /// `tocsin-leases`, each with `replicas` copies, and the default lease timing and cadence.
    public init(
        events: JetStreamLogConfiguration = JetStreamLogConfiguration(),
        replicas: Int = 3,
        lease: LeaseElection.Configuration = LeaseElection.Configuration(),
        chainer: ClusterChainer.Configuration = ClusterChainer.Configuration()
    ) {
        self.events = events
        self.store = NATSStreamConfiguration(name: "TOCSIN_CHAIN", subjects: ["tocsin.chain"], replicas: replicas)
        self.leases = NATSKeyValueConfiguration(bucket: "tocsin-leases", history: 1, replicas: replicas)
        self.leaseKey = "chain"
        self.lease = lease
        self.chainer = chainer
    }

    /// The subject chain records are published on.
    public var storeSubject: String { store.subjects.first ?? "tocsin.chain" }

    /// The subject of `tocsin.checkpoint.signed` events in the event stream.
    public var announcementSubject: String {
        JetStreamRecord.subject(prefix: events.subjectPrefix, type: CheckpointEvent.type)
    }
}

/// What the chain service is doing, for readiness and metrics.
public enum ChainServiceState: Sendable, Hashable {
    /// Connecting, creating the streams, or standing by while another node chains.
    case following
    /// This node holds the chain lease and chains the stream.
    case leading
    /// The stream lacks a message the chain needs: chaining stopped here; not ready.
    case halted(ClusterChainer.Halt)
}

/// The cluster's hash chain as a service: one node at a time chains and signs the event stream.
///
/// Every node runs one. It stands for the chain lease and, while it holds it, runs a ``ChainerDriver``.
///
/// Graceful shutdown signs a final checkpoint when this node leads, then releases the lease; a
/// cancellation (or a crash) leaves the lease to expire. When the chainer steps down because another
/// writer moved the chain on, the service stands again under a new candidate identity.
public final class ChainService: Service, Sendable {
    private let connection: NATSConnection
    private let node: String
    private let signingKey: Curve25519.Signing.PrivateKey
    private let configuration: ChainServiceConfiguration
    private let clock: any WallClock
    private let logger: Logger
    private let onCheckpoint: @Sendable (ChainCheckpoint, [UInt8]) -> Void
    private let witnessed: @Sendable () throws -> [WitnessedCheckpoint]
    private let current = Mutex<ChainServiceState>(.following)
    private let lease = Mutex<LeaseDriver?>(nil)
    private let chainer = Mutex<ChainerDriver?>(nil)

    /// Creates the service; nothing happens before ``run()``.
    ///
    /// - Parameters:
    ///   - connection: The node's connection to the cluster (shared with its other NATS services).
    ///   - node: The node's name, the prefix of its lease candidate identities.
    ///   - signingKey: The node's Ed25519 key: `KeyFiles.loadOrCreateNodeKey(in: dataDirectory)`.
    ///   - configuration: The streams, the lease and the cadence.
    ///   - clock: The wall clock (`SystemWallClock()` in production).
    ///   - logger: The node's logger.
    ///   - onCheckpoint: Called with each checkpoint this node signs and its signature, once the chain
    ///     store holds it (the node's checkpoint witness).
    ///   - witnessed: Reads the checkpoints of the node's witness file, before each candidacy: a new
    ///     lease holder checks the chain store against them before it chains anything. While it
    ///     throws, the node does not stand for the lease and tries again every 2 s.
    public init(
        connection: NATSConnection,
        node: String,
        signingKey: Curve25519.Signing.PrivateKey,
        configuration: ChainServiceConfiguration = ChainServiceConfiguration(),
        clock: any WallClock = SystemWallClock(),
        logger: Logger,
        onCheckpoint: @escaping @Sendable (ChainCheckpoint, [UInt8]) -> Void = { _, _ in },
        witnessed: @escaping @Sendable () throws -> [WitnessedCheckpoint] = { [] }
    ) {
        self.onCheckpoint = onCheckpoint
        self.witnessed = witnessed
        self.connection = connection
        self.node = node
        self.signingKey = signingKey
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
    }

    /// What the service is doing now.
    public var state: ChainServiceState {
        current.withLock { $0 }
    }

    /// Whether this node holds the chain lease now: while it chains, and also while it keeps the
    /// lease halted (``ChainServiceState/halted(_:)``) so that no other node chains on.
    public var holdsLease: Bool {
        lease.withLock { $0 }?.isLeading() ?? false
    }

    /// The newest stream sequence this node chained durably during its current candidacy (0 before).
    public var chainedSequence: Int64 {
        chainer.withLock { $0?.chainedSequence ?? 0 }
    }

    /// Creates the streams and the lease bucket, then stands for the lease until graceful shutdown,
    /// cancellation or a halt.
    ///
    /// While the cluster cannot create the streams or the bucket (an election, a node down), it tries
    /// again every 2 s rather than end, which would stop the whole node; a halt returns at shutdown
    /// (the state stays ``ChainServiceState/halted(_:)``).
    ///
    /// - Throws: `CancellationError` when cancelled while waiting for the cluster.
    public func run() async throws {
        guard let (eventLog, bucket) = try await setUp() else {
            return
        }
        defer {
            current.withLock { if $0 == .leading { $0 = .following } }
            lease.withLock { $0 = nil }
        }
        while !Task.isCancelled {
            let witnessed: [WitnessedCheckpoint]
            do {
                witnessed = try self.witnessed()
            } catch {
                logger.error(
                    "cannot read this node's checkpoint witness, so it does not stand for the chain lease; trying again in 2 s",
                    metadata: ["error": "\(error)"]
                )
                try await Task.sleep(for: .seconds(2))
                if Task.isShuttingDownGracefully {
                    return
                }
                continue
            }
            var random = SystemRandomNumberGenerator()
            let lease = LeaseDriver(
                bucket: bucket,
                key: configuration.leaseKey,
                candidate: LeaseElection.candidateIdentity(node: node, using: &random),
                configuration: configuration.lease,
                clock: clock,
                logger: logger
            )
            let chainer = ChainerDriver(
                connection: connection,
                eventLog: eventLog,
                configuration: configuration,
                signingKey: signingKey,
                clock: clock,
                logger: logger,
                onCheckpoint: onCheckpoint,
                witnessed: witnessed
            )
            self.chainer.withLock { $0 = chainer }
            self.lease.withLock { $0 = lease }
            let outcome = await runRound(lease: lease, chainer: chainer)
            switch outcome {
            case .steppedDown:
                continue
            case .halted:
                return
            case .stopped:
                return
            }
        }
    }

    /// The event log, the chain store and the lease bucket, created once the cluster answers; `nil`
    /// when the node shuts down first.
    private func setUp() async throws -> (JetStreamEventLog, NATSKeyValue)? {
        while !Task.isShuttingDownGracefully {
            do {
                let eventLog = try await JetStreamEventLog.open(
                    connection: connection,
                    configuration: configuration.events,
                    now: { [clock] in clock.milliseconds }
                )
                try await connection.ensureStream(configuration.store)
                return (eventLog, try await connection.keyValue(configuration.leases))
            } catch let error as NATSError {
                logger.warning(
                    "The chain store or the lease bucket cannot be created yet; trying again in 2 s.",
                    metadata: ["error": "\(error)"]
                )
                try await Task.sleep(for: .seconds(2))
            }
        }
        return nil
    }

    /// One candidacy: the lease and the chainer side by side until the chainer returns; then the lease
    /// is released (gracefully) or dropped (cancelled).
    private func runRound(lease: LeaseDriver, chainer: ChainerDriver) async -> ChainerDriver.Outcome {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: ChainerDriver.Outcome?.self) { group in
                group.addTask {
                    await lease.run { change in
                        chainer.leaseChanged(change)
                        self.current.withLock { state in
                            if case .halted = state {
                                return
                            }
                            switch change {
                            case .lead: state = .leading
                            case .stepDown: state = .following
                            }
                        }
                    }
                    return nil
                }
                group.addTask {
                    let outcome = await chainer.run(isLeading: { lease.isLeading() })
                    switch outcome {
                    case .steppedDown, .stopped:
                        lease.shutdown()
                    case .halted(let halt):
                        // Keep the lease until the node stops: another node would only halt on the same hole.
                        self.current.withLock { $0 = .halted(halt) }
                        try? await gracefulShutdown()
                        lease.shutdown()
                    }
                    return outcome
                }
                var result = ChainerDriver.Outcome.stopped
                for await outcome in group {
                    if let outcome {
                        result = outcome
                    }
                }
                return result
            }
        } onGracefulShutdown: {
            chainer.shutdown()
        }
    }
}
#endif
