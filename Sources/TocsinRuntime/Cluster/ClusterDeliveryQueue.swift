// SPDX-License-Identifier: Apache-2.0

#if NATS
import Logging
import ServiceLifecycle
import Synchronization
import TocsinCore
import TocsinNATS
import TocsinResponse

/// The deliveries of a cluster (`--backend nats`): the ``DeliveryQueue`` every node's delivery loop
/// shares, on two JetStream streams.
///
/// - `TOCSIN_DELIVERIES` (a work queue) holds pending deliveries, one subject per target
///   (`tocsin.deliveries.<target name in hex>`), each read through a durable pull consumer of its
///   own (`tocsin-deliver-<hex>`) shared by the nodes, so a target's concurrency and breaker apply
///   per node while its deliveries spread over them. A delivery's id is its stream sequence (kept
///   across redrives); its attempts are the stream's delivery count, so a node that died during an
///   attempt leaves it counted, and JetStream hands the delivery to another node after the ack wait.
/// - An outcome is an ack (delivered), a nak with the retry policy's delay (JetStream redelivers it
///   then, to any node), or a dead letter: the delivery with its reason and last failure is
///   published to `TOCSIN_DLQ` (`tocsin.dlq.<hex>`), then acknowledged. A redrive moves dead letters
///   back to the deliveries stream.
///
/// While an attempt runs, the queue tells JetStream every ``heartbeat`` that it is in progress, so
/// a slow target does not get the delivery handed to another node; a node that stops does not, and
/// its deliveries move after ``ackWait``.
final class ClusterDeliveryQueue: DeliveryQueue, SharedDeadLetters, Service {
    static let stream = "TOCSIN_DELIVERIES"
    static let deadLetterStream = "TOCSIN_DLQ"
    static let ackWait: Duration = .seconds(30)
    static let heartbeat: Duration = .seconds(10)
    /// How long a read waits for a target's first delivery: the delivery loop waits for it, so short.
    static let fetchWait: Duration = .milliseconds(5)

    private let connection: NATSConnection
    private let log: any EventLog
    private let clock: @Sendable () -> Int64
    private let logger: Logger
    private let consumers = Mutex<[String: NATSPullConsumer]>([:])
    /// Deliveries handed to the delivery loop and not completed yet, by id.
    private let held = Mutex<[Int64: (message: NATSDeliveredMessage, record: DeliveryRecord)]>([:])
    /// Deliveries fetched while the loop still excluded their id, by id: handed out at the next read.
    private let parked = Mutex<[Int64: (message: NATSDeliveredMessage, record: DeliveryRecord)]>([:])

    private init(connection: NATSConnection, log: any EventLog, clock: @escaping @Sendable () -> Int64, logger: Logger)
    {
        self.connection = connection
        self.log = log
        self.clock = clock
        self.logger = logger
    }

    /// Ensures both streams with `replicas` copies.
    static func open(
        connection: NATSConnection,
        replicas: Int,
        log: any EventLog,
        clock: @escaping @Sendable () -> Int64,
        logger: Logger
    ) async throws -> ClusterDeliveryQueue {
        var deliveries = NATSStreamConfiguration(name: stream, subjects: ["tocsin.deliveries.>"], replicas: replicas)
        deliveries.isWorkQueue = true
        try await connection.ensureStream(deliveries)
        try await connection.ensureStream(
            NATSStreamConfiguration(name: deadLetterStream, subjects: ["tocsin.dlq.>"], replicas: replicas)
        )
        return ClusterDeliveryQueue(connection: connection, log: log, clock: clock, logger: logger)
    }

    /// The subject of `target`'s pending deliveries.
    static func subject(target: String) -> String {
        "tocsin.deliveries." + Hex.encode(Array(target.utf8))
    }

    /// The subject of `target`'s dead letters.
    static func deadLetterSubject(target: String) -> String {
        "tocsin.dlq." + Hex.encode(Array(target.utf8))
    }

    /// The target of a pending deliveries subject, or `nil` for another subject.
    static func target(subject: String) -> String? {
        guard subject.hasPrefix("tocsin.deliveries."), let bytes = Hex.decode(String(subject.dropFirst(18))) else {
            return nil
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// The message that records one routing decision: a delivery id is unique per event, rule and
    /// target, so routing an event again (after a node died before acknowledging it) stores nothing twice.
    static func routed(_ record: DeliveryRecord) -> NATSOutgoingMessage {
        NATSOutgoingMessage(
            subject: subject(target: record.target),
            payload: ClusterDeliveryMessage(record).payload,
            messageID: JetStreamRecord.messageID(
                source: "route/\(record.eventSequence)/\(record.rule)",
                id: record.target
            )
        )
    }

    /// Keeps the deliveries in flight from being handed to another node, until shutdown; then gives
    /// back at once what this node fetched and did not finish, for the other nodes to take.
    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.heartbeat) }
            for (message, _) in held.withLock({ Array($0.values) }) + parked.withLock({ Array($0.values) }) {
                try? message.inProgress()
            }
        }
        let unfinished =
            held.withLock { held in
                defer { held.removeAll() }
                return Array(held.values)
            }
            + parked.withLock { parked in
                defer { parked.removeAll() }
                return Array(parked.values)
            }
        for (message, _) in unfinished {
            try? message.nak()
        }
        for consumer in consumers.withLock({ Array($0.values) }) {
            await consumer.close()
        }
    }

    func due(_ fetch: DeliveryFetch, now: Int64) async throws -> DueDeliveries {
        // First what came back while its last outcome was being written, then new messages.
        var taken = parked.withLock { parked in
            let ready = parked.values.filter {
                $0.record.target == fetch.target && !fetch.excluding.contains($0.record.id)
            }
            .sorted { $0.record.id < $1.record.id }.prefix(fetch.limit)
            for entry in ready {
                parked[entry.record.id] = nil
            }
            return Array(ready)
        }
        if taken.count < fetch.limit {
            let consumer = try await consumer(for: fetch.target)
            for message in try await consumer.fetch(batch: fetch.limit - taken.count, timeout: Self.fetchWait) {
                do {
                    let record = try ClusterDeliveryMessage(
                        pending: message.payload,
                        sequence: Int64(message.streamSequence),
                        deliveries: Int(message.deliveries)
                    ).record
                    taken.append((message, record))
                } catch {
                    logger.error("Dropped a message that is not a delivery.", metadata: ["error": "\(error)"])
                    try? message.term()
                }
            }
        }
        // A retry JetStream hands out before the loop has recorded the last outcome (the nak is part
        // of that write) waits here, not on the server, so it costs no extra delivery.
        let excluded = taken.filter { fetch.excluding.contains($0.record.id) }
        let ready = taken.filter { !fetch.excluding.contains($0.record.id) }
        parked.withLock { parked in
            for entry in excluded {
                parked[entry.record.id] = entry
            }
        }
        // Held (kept alive) only once their events are read: when the read fails, JetStream hands
        // them out again after the ack wait.
        let events = try await events(at: Set(ready.map(\.record.eventSequence)))
        held.withLock { held in
            for entry in ready {
                held[entry.record.id] = entry
            }
        }
        let due = ready.map { (delivery: $0.record, event: events[$0.record.eventSequence]) }
        // While reads find deliveries, more may be waiting: read again as soon as there is room. Once a
        // read finds none, the loop polls at its tick (JetStream hands out retries when they are due).
        return DueDeliveries(deliveries: due, nextDueMilliseconds: due.isEmpty ? nil : now)
    }

    /// The events at `sequences`, read at once (each is a direct get any replica answers).
    private func events(at sequences: Set<Int64>) async throws -> [Int64: LoggedEvent] {
        try await withThrowingTaskGroup(of: (Int64, LoggedEvent?).self) { group in
            for sequence in sequences {
                group.addTask { [log] in (sequence, try await log.event(at: sequence)) }
            }
            var events: [Int64: LoggedEvent] = [:]
            for try await (sequence, event) in group {
                events[sequence] = event
            }
            return events
        }
    }

    func pendingTargets() async throws -> [String] {
        try await connection.subjectCounts(stream: Self.stream, filter: "tocsin.deliveries.>").keys
            .compactMap(Self.target(subject:))
    }

    func complete(_ updates: [DeliveryUpdate]) async throws {
        let now = clock()
        // Taken out first: when an outcome cannot be written, the rest are no longer kept alive, so
        // JetStream hands them out again after the ack wait.
        let outcomes = held.withLock { held in
            updates.compactMap { update in held.removeValue(forKey: update.id).map { (update, $0.message, $0.record) } }
        }
        for (update, message, record) in outcomes {
            switch update.state {
            case .succeeded, .dryRun:
                try message.ack()
            case .pending:
                try message.nak(delay: .milliseconds(max(0, update.nextAttemptMilliseconds - now)))
            case .deadLettered:
                var letter = record
                letter.state = .deadLettered
                letter.attempts = update.attempts
                letter.lastAttemptMilliseconds = update.attemptMilliseconds ?? record.lastAttemptMilliseconds
                letter.lastFailure = update.failure ?? record.lastFailure
                letter.deadLetterReason = update.deadLetterReason
                _ = try await connection.publish(
                    NATSOutgoingMessage(
                        subject: Self.deadLetterSubject(target: record.target),
                        payload: ClusterDeliveryMessage(letter).payload,
                        messageID: "dlq-\(record.id)-\(record.redrives)"
                    )
                )
                try message.ack()
            }
        }
    }

    func deadLetters(_ filter: DeliveryFilter) async throws -> [DeliveryRecord] {
        try await deadLetterMessages(filter).map(\.record)
    }

    func purge(_ filter: DeliveryFilter) async throws -> [Int64] {
        var purged: [Int64] = []
        for (sequence, letter) in try await deadLetterMessages(filter)
        where try await take(deadLetterAt: sequence) {
            purged.append(letter.id)
        }
        return purged
    }

    /// The dead letters `filter` selects, oldest first, at most `filter.limit`, with their
    /// sequences in the dead-letter stream.
    private func deadLetterMessages(
        _ filter: DeliveryFilter
    ) async throws -> [(sequence: UInt64, record: DeliveryRecord)] {
        var found: [(sequence: UInt64, record: DeliveryRecord)] = []
        var next: UInt64 = 1
        while found.count < filter.limit {
            let page = try await connection.messages(stream: Self.deadLetterStream, from: next, limit: 256)
            guard let last = page.last else {
                break
            }
            for message in page {
                guard
                    let letter = try? ClusterDeliveryMessage(
                        deadLetter: message.payload,
                        sequence: Int64(message.sequence)
                    ),
                    letter.matches(filter), found.count < filter.limit
                else {
                    continue
                }
                found.append((message.sequence, letter.record))
            }
            next = last.sequence + 1
        }
        return found
    }

    func redrive(_ filter: DeliveryFilter, now: Int64) async throws -> [RedrivenDelivery] {
        var redriven: [RedrivenDelivery] = []
        for (sequence, letter) in try await deadLetterMessages(filter) {
            // Back to pending with a fresh attempt budget and event age, as with the embedded store.
            var record = letter
            record.state = .pending
            record.redrives += 1
            record.routedMilliseconds = now
            _ = try await connection.publish(
                NATSOutgoingMessage(
                    subject: Self.subject(target: record.target),
                    payload: ClusterDeliveryMessage(record).payload,
                    messageID: "redrive-\(record.id)-\(record.redrives)"
                )
            )
            // Another node redriving the same letter at once publishes the same message id (stored
            // once) and finds the letter gone: only one of them reports it.
            guard try await take(deadLetterAt: sequence) else {
                continue
            }
            redriven.append(RedrivenDelivery(id: record.id, target: record.target, redrives: record.redrives))
        }
        return redriven
    }

    /// The state of each target's consumer this node has read from, by durable name.
    func consumerStates() async -> [(name: String, state: NATSConsumerState)] {
        var states: [(name: String, state: NATSConsumerState)] = []
        for durable in consumers.withLock({ $0.values.map(\.durable) }).sorted() {
            if let state = try? await connection.consumerState(stream: Self.stream, durable: durable) {
                states.append((durable, state))
            }
        }
        return states
    }

    /// Deletes the dead letter at `sequence`; `false` when another node took it first.
    private func take(deadLetterAt sequence: UInt64) async throws -> Bool {
        do {
            try await connection.deleteMessage(stream: Self.deadLetterStream, sequence: sequence)
            return true
        } catch let error as NATSError where error.code == .notFound {
            return false
        }
    }

    /// The shared consumer of `target`'s deliveries, created at its first use.
    private func consumer(for target: String) async throws -> NATSPullConsumer {
        if let consumer = consumers.withLock({ $0[target] }) {
            return consumer
        }
        let hex = Hex.encode(Array(target.utf8))
        let consumer = try await connection.pullConsumer(
            stream: Self.stream,
            NATSConsumerConfiguration(
                durable: "tocsin-deliver-" + hex,
                filterSubject: Self.subject(target: target),
                ackWait: Self.ackWait,
                maxDeliver: -1,
                backoff: [],
                maxAckPending: 1024
            )
        )
        let kept = consumers.withLock { consumers in
            if let existing = consumers[target] {
                return existing
            }
            consumers[target] = consumer
            return consumer
        }
        if kept !== consumer {
            await consumer.close()
        }
        return kept
    }
}
#endif
