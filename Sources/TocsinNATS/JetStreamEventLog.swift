// SPDX-License-Identifier: Apache-2.0

#if NATS
public import TocsinCore

/// Where and how ``JetStreamEventLog`` keeps the log.
public struct JetStreamLogConfiguration: Sendable, Hashable {
    /// The stream; its subjects are `<subjectPrefix>.>`.
    public var stream: NATSStreamConfiguration
    /// The first subject token(s) of every event (events go to `<prefix>.<type tokens>`).
    public var subjectPrefix: String
    /// How long an append keeps retrying the same message ids through a leader election before it
    /// gives up with ``NATSError/Code/unavailable`` (the HTTP layer answers 503 with `Retry-After`).
    public var maxRetryWait: Duration
    /// The pause between two attempts.
    public var retryInterval: Duration
    /// Messages a query reads at most for one page when filters other than the type skip messages.
    public var queryScanLimit: Int
    /// How often ``JetStreamEventLog/waitForAppend(after:timeout:)`` asks for the last sequence.
    public var appendPollInterval: Duration

    /// Creates a configuration; the stream is `TOCSIN_EVENTS` on `tocsin.events.>` with `replicas` copies.
    public init(
        replicas: Int = 3,
        duplicateWindow: Duration = .seconds(120),
        maxAge: Duration? = nil,
        maxBytes: Int64? = nil,
        maxRetryWait: Duration = .seconds(10),
        retryInterval: Duration = .milliseconds(100),
        queryScanLimit: Int = 10_000,
        appendPollInterval: Duration = .milliseconds(50)
    ) {
        self.subjectPrefix = "tocsin.events"
        self.stream = NATSStreamConfiguration(
            name: "TOCSIN_EVENTS",
            subjects: ["tocsin.events.>"],
            replicas: replicas,
            duplicateWindow: duplicateWindow,
            maxAge: maxAge,
            maxBytes: maxBytes
        )
        self.maxRetryWait = maxRetryWait
        self.retryInterval = retryInterval
        self.queryScanLimit = queryScanLimit
        self.appendPollInterval = appendPollInterval
    }
}

/// The event log on a JetStream stream: the ``EventLog`` port for a cluster of Tocsin nodes.
///
/// `append` publishes every entry with its deduplication id (``JetStreamRecord/messageID(source:id:)``)
/// and returns when the stream acknowledged them all (replicated to a quorum with `replicas` > 1). A
/// message that fails transiently (no stream leader, an ack timeout) is published again with the
/// same id until ``JetStreamLogConfiguration/maxRetryWait`` has passed; the stream's duplicate
/// window keeps a message that was stored but not acknowledged from being stored twice. Reads use
/// direct gets, which any replica answers.
public struct JetStreamEventLog: EventLog {
    private let connection: NATSConnection
    private let configuration: JetStreamLogConfiguration
    private let clock = ContinuousClock()
    private let now: @Sendable () -> Int64
    private let onRetry: @Sendable (Int) -> Void

    /// Creates the log's stream (or updates its configuration) and returns the log.
    ///
    /// The retry wait is measured on the continuous clock.
    ///
    /// - Parameters:
    ///   - connection: The connection to the cluster.
    ///   - configuration: The stream and the retry policy.
    ///   - onRetry: Called with the number of messages about to be published again after a transient
    ///     failure (for a metric).
    ///   - now: The ingest time stamped on appended records, in milliseconds since the epoch.
    /// - Returns: The log.
    /// - Throws: ``NATSError`` when the stream cannot be created (no JetStream quorum, a refused configuration).
    public static func open(
        connection: NATSConnection,
        configuration: JetStreamLogConfiguration = JetStreamLogConfiguration(),
        onRetry: @escaping @Sendable (Int) -> Void = { _ in },
        now: @escaping @Sendable () -> Int64
    ) async throws -> JetStreamEventLog {
        try await connection.ensureStream(configuration.stream)
        return JetStreamEventLog(connection: connection, configuration: configuration, now: now, onRetry: onRetry)
    }

    private init(
        connection: NATSConnection,
        configuration: JetStreamLogConfiguration,
        now: @escaping @Sendable () -> Int64,
        onRetry: @escaping @Sendable (Int) -> Void
    ) {
        self.connection = connection
        self.configuration = configuration
        self.now = now
        self.onRetry = onRetry
    }

    /// Publishes the entries and returns once every one is acknowledged.
    ///
    /// - Throws: ``NATSError/Code/unavailable`` (with `retryAfter`) when the stream had no leader
    ///   for longer than ``JetStreamLogConfiguration/maxRetryWait``; entries acknowledged before
    ///   that stay stored, and appending them again returns duplicates.
    public func append(entries: [LogEntry]) async throws -> [AppendReceipt] {
        let ingest = now()
        let messages = entries.map { entry in
            NATSOutgoingMessage(
                subject: JetStreamRecord.subject(prefix: configuration.subjectPrefix, type: entry.event.type),
                payload: JetStreamRecord.payload(entry: entry, ingestMilliseconds: ingest),
                messageID: JetStreamRecord.messageID(source: entry.event.source, id: entry.event.id)
            )
        }
        var receipts = [AppendReceipt?](repeating: nil, count: entries.count)
        var waiting = Array(messages.indices)
        let deadline = clock.now.advanced(by: configuration.maxRetryWait)
        while true {
            let results = await connection.publish(waiting.map { messages[$0] })
            var failed: [Int] = []
            var lastError: NATSError?
            for (index, result) in zip(waiting, results) {
                switch result {
                case .success(let ack):
                    receipts[index] = AppendReceipt(sequence: Int64(ack.sequence), isDuplicate: ack.isDuplicate)
                case .failure(let error) where error.isTransient:
                    failed.append(index)
                    lastError = error
                case .failure(let error):
                    throw error
                }
            }
            guard let lastError else {
                return receipts.compactMap { $0 }
            }
            guard clock.now.advanced(by: configuration.retryInterval) < deadline else {
                throw NATSError(
                    code: .unavailable,
                    message: "the event stream did not accept \(failed.count) of \(entries.count) events within "
                        + "\(configuration.maxRetryWait) (\(lastError.message))",
                    retryAfter: .seconds(5)
                )
            }
            try await clock.sleep(for: configuration.retryInterval)
            onRetry(failed.count)
            waiting = failed
        }
    }

    /// The event at `sequence`, or `nil`.
    ///
    /// A direct get, which any replica answers; when it finds nothing, the stream leader is asked, since
    /// a follower a moment behind answers "not found" for an event the stream has acknowledged.
    public func event(at sequence: Int64) async throws -> LoggedEvent? {
        guard sequence > 0 else {
            return nil
        }
        let stream = configuration.stream.name
        var message = try await connection.message(stream: stream, sequence: UInt64(sequence))
        if message == nil {
            message = try await connection.leaderMessage(stream: stream, sequence: UInt64(sequence))
        }
        guard let message else {
            return nil
        }
        return try JetStreamRecord.loggedEvent(payload: message.payload, sequence: Int64(message.sequence))
    }

    /// One page of events matching `query`.
    ///
    /// A type filter reads only that type's subject; the other filters are applied to what is read,
    /// at most ``JetStreamLogConfiguration/queryScanLimit`` messages per page (the page then ends
    /// early with a cursor to continue from).
    ///
    /// The reads are direct gets, which any replica answers. When one finds nothing more, the stream
    /// leader's last sequence is checked: a follower a moment behind answers "nothing more" for events
    /// the stream has acknowledged, and those are read from the leader one by one (a reader that took
    /// the short page for the end would skip them).
    public func query(_ query: EventQuery) async throws -> EventPage {
        let subject =
            query.type.map { JetStreamRecord.subject(prefix: configuration.subjectPrefix, type: $0) }
            ?? configuration.subjectPrefix + ".>"
        let stream = configuration.stream.name
        var events: [LoggedEvent] = []
        var cursor = query.after
        var scanned = 0
        var leaderLast: Int64?
        while events.count < query.limit {
            guard scanned < configuration.queryScanLimit else {
                return EventPage(events: events, nextCursor: cursor)
            }
            scanned += 1
            if let message = try await connection.nextMessage(
                stream: stream,
                from: UInt64(cursor + 1),
                subject: subject
            ) {
                cursor = Int64(message.sequence)
                try take(message, matching: query, into: &events)
                continue
            }
            if leaderLast == nil {
                leaderLast = try await lastSequence()
            }
            guard let last = leaderLast, cursor < last else {
                return EventPage(events: events, nextCursor: nil)
            }
            cursor += 1
            if let message = try await connection.leaderMessage(stream: stream, sequence: UInt64(cursor)),
                JetStreamRecord.subject(message.subject, matches: subject)
            {
                try take(message, matching: query, into: &events)
            }
        }
        return EventPage(events: events, nextCursor: cursor)
    }

    /// Appends the event `message` holds to `events` when it matches `query`.
    private func take(_ message: NATSStoredMessage, matching query: EventQuery, into events: inout [LoggedEvent]) throws
    {
        let logged = try JetStreamRecord.loggedEvent(payload: message.payload, sequence: Int64(message.sequence))
        if matches(logged.event, query) {
            events.append(logged)
        }
    }

    /// The stream's last sequence (0 when empty).
    public func lastSequence() async throws -> Int64 {
        Int64(try await connection.streamInfo(configuration.stream.name).lastSequence)
    }

    /// Polls the last sequence every ``JetStreamLogConfiguration/appendPollInterval`` until it passes
    /// `sequence` or `timeout` ends.
    public func waitForAppend(after sequence: Int64, timeout: Duration) async {
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline, !Task.isCancelled {
            if let last = try? await lastSequence(), last > sequence {
                return
            }
            try? await clock.sleep(for: configuration.appendPollInterval)
        }
    }

    private func matches(_ event: CloudEvent, _ query: EventQuery) -> Bool {
        if let source = query.source, event.source != source {
            return false
        }
        if let subject = query.subject, event.subject != subject {
            return false
        }
        if let prefix = query.excludingTypePrefix, event.type.hasPrefix(prefix) {
            return false
        }
        let time = event.time?.epochMilliseconds
        if let from = query.timeFrom, (time ?? Int64.min) < from {
            return false
        }
        if let to = query.timeTo, (time ?? Int64.max) >= to {
            return false
        }
        return true
    }
}
#endif
