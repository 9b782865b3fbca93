// SPDX-License-Identifier: Apache-2.0

#if NATS
import Logging
import ServiceLifecycle
import TocsinConfig
import TocsinCore
import TocsinMetrics
import TocsinNATS
import TocsinResponse
import TocsinRules
import TocsinStore

/// The router of a cluster node (`--backend nats`): reads the event stream through the durable pull
/// consumer `tocsin-router` that every node shares, so each event is routed by one node; matches it
/// against the rules in force; publishes one message per (event, rule, target) to the deliveries
/// stream; and only then acknowledges the event.
///
/// The consumer's acknowledgements are the cursor, kept by the cluster: a node that dies before
/// acknowledging leaves its events to be delivered to another node after the ack wait, and the
/// deliveries' message ids (event, rule, target) keep the second routing from storing them twice
/// inside the deliveries stream's duplicate window.
struct ClusterRouterService: Service {
    static let durable = "tocsin-router"
    static let batchSize = 256

    let connection: NATSConnection
    /// The event stream's log, where the routed and dry-run events go.
    let log: any EventLog
    let identifiers: EventIdentifiers
    let state: RoutingState
    let wake: @Sendable () -> Void
    let clock: any WallClock
    let logger: Logger
    var metrics: RoutingMetrics
    var openEvent: @Sendable (LoggedEvent) -> LoggedEvent

    /// The shared consumer's settings: every message acknowledged explicitly, handed to another node
    /// when not acknowledged within 30 s.
    static let consumer = NATSConsumerConfiguration(
        durable: durable,
        filterSubject: "tocsin.events.>",
        ackWait: .seconds(30),
        maxDeliver: -1,
        maxAckPending: 8 * batchSize
    )

    func run() async throws {
        guard let consumer = await subscribe() else {
            return
        }
        let context = MatchContext()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var messages: [NATSDeliveredMessage] = []
            do {
                messages = try await consumer.fetch(batch: Self.batchSize, timeout: .seconds(1))
                guard !messages.isEmpty else {
                    continue
                }
                try await route(messages, context: context)
            } catch {
                logger.error(
                    "Routing failed; the batch is routed again in 1 s.",
                    metadata: ["error": "\(error)"]
                )
                // Given back for another try (by any node); what was already stored is a duplicate then.
                for message in messages {
                    try? message.nak(delay: .seconds(1))
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
        await consumer.close()
    }

    /// The shared consumer, once the cluster answers (a stream leader election, a node down); `nil`
    /// when the node stops first.
    private func subscribe() async -> NATSPullConsumer? {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                return try await connection.pullConsumer(stream: JetStreamLogConfiguration().stream.name, Self.consumer)
            } catch {
                logger.warning(
                    "The router's consumer cannot be created yet; trying again in 2 s.",
                    metadata: ["error": "\(error)"]
                )
                try? await Task.sleep(for: .seconds(2))
            }
        }
        return nil
    }

    /// Routes one batch: publishes its deliveries, appends its routed and dry-run events, then
    /// acknowledges the events.
    ///
    /// A failure leaves the batch unacknowledged; the caller gives it back to be routed again.
    private func route(_ messages: [NATSDeliveredMessage], context: MatchContext) async throws {
        let table = state.current
        let now = clock.milliseconds
        var decisions: [RoutingStore.NewDelivery] = []
        var matches: [String: Int] = [:]
        var routed = 0
        for message in messages {
            let stored: LoggedEvent
            do {
                stored = try JetStreamRecord.loggedEvent(
                    payload: message.payload,
                    sequence: Int64(message.streamSequence)
                )
            } catch {
                logger.error("Skipped a stream message that is not a Tocsin record.", metadata: ["error": "\(error)"])
                continue
            }
            // The router's own records (`tocsin.delivery.*`) are never routed.
            guard !stored.event.type.hasPrefix("tocsin.delivery.") else {
                continue
            }
            routed += 1
            decisions += RouterService.deliveries(
                for: openEvent(stored),
                table: table,
                context: context,
                matches: &matches
            )
        }
        let live = decisions.filter { !$0.dryRun }
        let records = live.map {
            DeliveryRecord(
                id: 0,
                eventSequence: $0.eventSequence,
                rule: $0.rule,
                target: $0.target,
                input: $0.input,
                state: .pending,
                attempts: 0,
                routedMilliseconds: now,
                nextAttemptMilliseconds: now,
                firstAttemptMilliseconds: nil,
                lastAttemptMilliseconds: nil,
                lastFailure: nil,
                deadLetterReason: nil,
                redrives: 0
            )
        }
        var ids: [Int64?] = []
        for result in await connection.publish(records.map(ClusterDeliveryQueue.routed)) {
            ids.append(Int64(try result.get().sequence))
        }
        var events = decisions.filter(\.dryRun).map { RouterService.dryRunEvent($0, identifiers: identifiers) }
        if let event = DeliveryEvents.routed(live, ids: ids, at: now, identifiers: identifiers) {
            events.insert(event, at: 0)
        }
        if !events.isEmpty {
            _ = try await log.append(events)
        }
        for message in messages {
            try message.ack()
        }
        metrics.routed(events: routed, matches: matches)
        if !live.isEmpty {
            wake()
        }
    }
}
#endif
