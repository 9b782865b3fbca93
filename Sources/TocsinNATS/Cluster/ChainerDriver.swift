// SPDX-License-Identifier: Apache-2.0

#if NATS
public import Crypto
public import Logging
import Synchronization
public import TocsinCluster
public import TocsinCore

/// Runs a ``ClusterChainer`` over the event stream and the chain store: reads the store's head,
/// fetches the stream messages after it (direct gets), digests their canonical bytes with
/// ``HashChain`` as the single-node store does, appends ``ChainStoreRecord``s expecting the store's
/// last sequence, signs checkpoints with the node key and announces them as
/// `tocsin.checkpoint.signed` events in the event stream.
///
/// The lease tells it when to work (``leaseChanged(_:)``); right before each append it also asks
/// the lease (`isLeading`), and a write it may no longer make is answered as failed, so the chainer
/// retries it only if it still leads. ``run(isLeading:)`` returns when the chainer steps down (another
/// writer moved the chain on), halts on a gap, or stops after ``shutdown()``.
public final class ChainerDriver: Sendable {
    /// Why ``run(isLeading:)`` returned.
    public enum Outcome: Sendable, Hashable {
        /// Another writer moved the chain on: give up the lease and stand again.
        case steppedDown
        /// The stream lacks a message the chain needs; an operator must decide.
        case halted(ClusterChainer.Halt)
        /// After ``shutdown()``: nothing is in flight and the final checkpoint is durable.
        case stopped
    }

    private let connection: NATSConnection
    private let eventLog: JetStreamEventLog
    private let configuration: ChainServiceConfiguration
    private let signingKey: Curve25519.Signing.PrivateKey
    private let clock: any WallClock
    private let logger: Logger
    private let onCheckpoint: @Sendable (ChainCheckpoint, [UInt8]) -> Void
    private let witnessed: [WitnessedCheckpoint]
    private let inbox: DriverInbox<ClusterChainer.Input>
    private let isLeader = Mutex(false)
    private let chained = Mutex<Int64>(0)

    /// Creates a driver; nothing happens before ``run(isLeading:)``.
    ///
    /// - Parameters:
    ///   - connection: The connection to the cluster.
    ///   - eventLog: The event log on the stream, for the announcements.
    ///   - configuration: The streams and the chainer's rhythm.
    ///   - signingKey: The node's Ed25519 key (`node.key` of its data directory).
    ///   - clock: The wall clock checkpoints are dated with.
    ///   - logger: Where halts and failures are logged.
    ///   - onCheckpoint: Called with each checkpoint this driver signed and its signature, once the
    ///     chain store holds it (the node's checkpoint witness).
    ///   - witnessed: The checkpoints of the node's witness file, checked against the chain store
    ///     before it chains anything.
    public init(
        connection: NATSConnection,
        eventLog: JetStreamEventLog,
        configuration: ChainServiceConfiguration,
        signingKey: Curve25519.Signing.PrivateKey,
        clock: any WallClock,
        logger: Logger,
        onCheckpoint: @escaping @Sendable (ChainCheckpoint, [UInt8]) -> Void = { _, _ in },
        witnessed: [WitnessedCheckpoint] = []
    ) {
        self.onCheckpoint = onCheckpoint
        self.witnessed = witnessed
        self.connection = connection
        self.eventLog = eventLog
        self.configuration = configuration
        self.signingKey = signingKey
        self.clock = clock
        self.logger = logger
        inbox = DriverInbox(tick: .tick, clock: clock)
    }

    /// The newest stream sequence this driver knows to be chained durably.
    public var chainedSequence: Int64 { chained.withLock { $0 } }

    /// Feeds the chain lease's changes: `leading` on the first `lead`, `notLeading` on a step-down.
    public func leaseChanged(_ change: LeaseDriver.Change) {
        let input: ClusterChainer.Input? = isLeader.withLock { leads in
            switch change {
            case .lead:
                defer { leads = true }
                return leads ? nil : .leading
            case .stepDown:
                leads = false
                return .notLeading
            }
        }
        if let input {
            inbox.send(input)
        }
    }

    /// Asks for the graceful stop: finish the write in flight, sign a final checkpoint if records are
    /// unsigned, then return ``Outcome/stopped``.
    public func shutdown() {
        inbox.send(.shutdown)
    }

    /// Runs the chainer until it steps down, halts or stops, or until the task is cancelled (then
    /// ``Outcome/stopped`` without a final checkpoint).
    public func run(isLeading: @escaping @Sendable () -> Bool) async -> Outcome {
        var chainer = ClusterChainer(configuration: configuration.chainer, witnessed: witnessed)
        var signatures: [Int64: [UInt8]] = [:]
        var timer: Task<Void, Never>?
        defer { timer?.cancel() }
        var iterator = inbox.makeIterator()
        while let input = await iterator.next() {
            var inputs = [input]
            while !inputs.isEmpty {
                let next = inputs.removeFirst()
                for decision in chainer.handle(next, now: clock.milliseconds) {
                    switch decision {
                    case .stepDown:
                        return .steppedDown
                    case .halt(let halt):
                        logHalt(halt)
                        return .halted(halt)
                    case .stopped:
                        return .stopped
                    case .readHead:
                        inputs.append(await readHead())
                    case .readChainHashes(let sequences):
                        do {
                            let hashes = try await ChainStoreHashes.read(
                                sequences,
                                connection: connection,
                                store: configuration.store.name
                            )
                            inputs.append(.chainHashesRead(hashes))
                        } catch {
                            inputs.append(.failed)
                        }
                    case .fetch(let after, let limit):
                        inputs.append(await fetch(after: after, limit: limit))
                    case .append(let record, let expected):
                        guard isLeading() else {
                            inputs.append(.failed)
                            continue
                        }
                        inputs.append(await append(record, expected: expected, signatures: &signatures))
                    case .announce(let checkpoint):
                        await announce(checkpoint, signature: signatures.removeValue(forKey: checkpoint.sequence))
                    }
                }
            }
            chained.withLock { $0 = chainer.chainedSequence }
            timer?.cancel()
            timer = inbox.wake(at: chainer.nextWake(now: clock.milliseconds))
        }
        return .stopped
    }

    private func readHead() async -> ClusterChainer.Input {
        do {
            guard
                let message = try await connection.lastMessage(
                    stream: configuration.store.name,
                    subject: configuration.storeSubject
                )
            else {
                return .headRead(nil)
            }
            guard let stored = ChainStoreRecord(bytes: message.payload) else {
                logger.error(
                    "the chain store's last message is not a chain record; only Tocsin may publish to its subject",
                    metadata: ["chain.store_sequence": "\(message.sequence)"]
                )
                return .failed
            }
            return .headRead(ChainHead(record: stored.record, storeSequence: message.sequence))
        } catch {
            return .failed
        }
    }

    private func fetch(after: Int64, limit: Int) async -> ClusterChainer.Input {
        do {
            let messages = try await connection.messages(
                stream: configuration.events.stream.name,
                from: UInt64(after + 1),
                limit: limit
            )
            let announcements = configuration.announcementSubject
            return .fetched(
                messages.map {
                    ChainMessage(
                        sequence: Int64($0.sequence),
                        canonical: $0.payload,
                        isCheckpointAnnouncement: $0.subject == announcements
                    )
                }
            )
        } catch {
            return .failed
        }
    }

    private func append(
        _ record: ChainRecord,
        expected: UInt64,
        signatures: inout [Int64: [UInt8]]
    ) async -> ClusterChainer.Input {
        var stored = ChainStoreRecord(record: record)
        if let checkpoint = record.checkpoint {
            // A retried record keeps its first signature, so the announcement matches what was stored.
            let signature =
                signatures[checkpoint.sequence] ?? (try? Array(signingKey.signature(for: checkpoint.message)))
            guard let signature else {
                return .failed
            }
            signatures[checkpoint.sequence] = signature
            stored.signature = signature
            stored.signer = Array(signingKey.publicKey.rawRepresentation)
        }
        let message = NATSOutgoingMessage(
            subject: configuration.storeSubject,
            payload: stored.bytes,
            messageID: record.messageID,
            expectedLastSequence: expected
        )
        do {
            return .appended(storeSequence: try await connection.publish(message).sequence)
        } catch let error as NATSError where error.code == .wrongRevision {
            return .appendConflict
        } catch {
            return .failed
        }
    }

    private func announce(_ checkpoint: ChainCheckpoint, signature: [UInt8]?) async {
        guard let signature else {
            return
        }
        onCheckpoint(checkpoint, signature)
        let event = CheckpointEvent.event(
            checkpoint: checkpoint,
            signature: signature,
            signer: Array(signingKey.publicKey.rawRepresentation)
        )
        do {
            _ = try await eventLog.append(entries: [LogEntry(event: event)])
        } catch {
            logger.warning(
                "could not announce a signed checkpoint; it is in the chain store all the same",
                metadata: ["chain.checkpoint": "\(checkpoint.sequence)", "error.type": "\(type(of: error))"]
            )
        }
    }

    private func logHalt(_ halt: ClusterChainer.Halt) {
        switch halt {
        case .gap(let expected, let found):
            logger.critical(
                """
                the event stream has no message where the chain continues: chaining stopped. Unchained messages \
                were removed (stream limits or a purge); keep the stream free of limits that discard messages
                """,
                metadata: ["chain.expected": "\(expected)", "chain.found": "\(found)"]
            )
        case .witnessAhead(let line, let sequence, let storeEnd):
            logger.error(
                """
                the chain store ends before a checkpoint this node witnessed: it was rolled back or purged. Not \
                chaining (the lease stays here so no node chains over it); compare the store with the witness \
                files (tocsin audit verify --backend nats --witness FILE) and restore it
                """,
                metadata: [
                    "chain.witness_line": "\(line)", "chain.witness_sequence": "\(sequence)",
                    "chain.store_end": "\(storeEnd)",
                ]
            )
        case .witnessMismatch(let line, let sequence):
            logger.error(
                """
                the chain store does not hold a checkpoint this node witnessed with the witnessed hash: it was \
                rewritten. Not chaining (the lease stays here so no node chains over it); compare the store with \
                the witness files (tocsin audit verify --backend nats --witness FILE)
                """,
                metadata: ["chain.witness_line": "\(line)", "chain.witness_sequence": "\(sequence)"]
            )
        }
    }
}

/// The `tocsin.checkpoint.signed` event of a cluster checkpoint, as the single-node writer announces
/// its own, plus the signer's public key.
///
/// Its id is `checkpoint-` and the first 128 bits of SHA-256 of the signature in hex: the same on a
/// retry (so the stream keeps one copy), and unpredictable to anyone without the node key.
enum CheckpointEvent {
    static let type = "tocsin.checkpoint.signed"
    static let source = "/tocsin/log"

    static func event(checkpoint: ChainCheckpoint, signature: [UInt8], signer: [UInt8]) -> CloudEvent {
        let data = JSONValue.object(
            JSONObject([
                .init(name: "seq", value: .number(JSONNumber(checkpoint.sequence))),
                .init(name: "hash", value: .string(Hex.encode(checkpoint.hash))),
                .init(name: "signature", value: .string(Hex.encode(signature))),
                .init(name: "signer", value: .string(Hex.encode(signer))),
                .init(
                    name: "signed_at",
                    value: .string(Timestamp(epochMilliseconds: checkpoint.signedMilliseconds).text)
                ),
            ])
        )
        return CloudEvent(
            id: "checkpoint-" + Hex.encode(Array(SHA256.hash(data: signature)).prefix(16)),
            source: source,
            type: type,
            dataContentType: "application/json",
            subject: "\(checkpoint.sequence)",
            time: Timestamp(epochMilliseconds: checkpoint.signedMilliseconds),
            data: .json(JSONWriter().bytes(data))
        )
    }
}
#endif
