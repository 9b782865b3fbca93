// SPDX-License-Identifier: Apache-2.0

#if NATS
import TocsinCore
import TocsinMetrics
import TocsinNATS

/// The event log on the cluster's stream, as the API and the decorators see it: a failure that may
/// pass (no stream leader, no connection) becomes ``LogUnavailable``, which the API answers with
/// `503` and `Retry-After` rather than a server error, and an append given up is counted.
struct ClusterEventLog: EventLog {
    let base: JetStreamEventLog
    let metrics: ClusterMetrics

    func append(entries: [LogEntry]) async throws -> [AppendReceipt] {
        do {
            return try await base.append(entries: entries)
        } catch let error as NATSError {
            metrics.publishUnavailable()
            throw Self.unavailable(error)
        }
    }

    func event(at sequence: Int64) async throws -> LoggedEvent? {
        try await Self.mapped { try await base.event(at: sequence) }
    }

    func query(_ query: EventQuery) async throws -> EventPage {
        try await Self.mapped { try await base.query(query) }
    }

    func lastSequence() async throws -> Int64 {
        try await Self.mapped { try await base.lastSequence() }
    }

    func waitForAppend(after sequence: Int64, timeout: Duration) async {
        await base.waitForAppend(after: sequence, timeout: timeout)
    }

    /// The cluster's answer as ``LogUnavailable``, with the wait it asked for (5 s when it named none).
    static func unavailable(_ error: NATSError) -> LogUnavailable {
        let wait = error.retryAfter?.components.seconds ?? 5
        return LogUnavailable(
            message: "the event stream cannot answer right now (\(error.code)): \(error.message)",
            retryAfterSeconds: Int(max(1, wait))
        )
    }

    private static func mapped<Value>(_ read: () async throws -> Value) async throws -> Value {
        do {
            return try await read()
        } catch let error as NATSError where error.code != .notFound {
            throw unavailable(error)
        }
    }
}
#endif
