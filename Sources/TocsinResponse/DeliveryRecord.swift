// SPDX-License-Identifier: Apache-2.0

public import TocsinCore

/// Where a delivery stands.
public enum DeliveryState: String, Sendable, Hashable, CaseIterable {
    /// Waiting for its next attempt.
    case pending
    /// Delivered.
    case succeeded
    /// Gave up; in the dead-letter queue.
    case deadLettered = "dead-lettered"
    /// Recorded only: the rule or target is in dry-run mode.
    case dryRun = "dry-run"
}

/// One delivery of one event to one target on behalf of one rule.
public struct DeliveryRecord: Sendable, Hashable {
    /// The delivery's id.
    public var id: Int64
    /// The event's sequence number in the log.
    public var eventSequence: Int64
    /// The rule that matched.
    public var rule: String
    /// The target's name.
    public var target: String
    /// The input transformation recorded when the event was routed.
    public var input: InputTransform?
    /// Where the delivery stands.
    public var state: DeliveryState
    /// Attempts made so far.
    public var attempts: Int
    /// When the event was routed (the start of the maximum event age).
    public var routedMilliseconds: Int64
    /// When the next attempt is due (milliseconds since the epoch).
    public var nextAttemptMilliseconds: Int64
    /// When the first attempt started (milliseconds since the epoch).
    public var firstAttemptMilliseconds: Int64?
    /// When the last attempt started (milliseconds since the epoch).
    public var lastAttemptMilliseconds: Int64?
    /// The last failure, if the last attempt failed.
    public var lastFailure: AttemptFailure?
    /// Why it was dead-lettered.
    public var deadLetterReason: String?
    /// How many times it was redriven from the dead-letter queue.
    public var redrives: Int
    /// The replay it belongs to, or `nil` for a delivery of live routing.
    public var replay: DeliveryReplay?

    /// Creates a record.
    public init(
        id: Int64,
        eventSequence: Int64,
        rule: String,
        target: String,
        input: InputTransform?,
        state: DeliveryState,
        attempts: Int,
        routedMilliseconds: Int64,
        nextAttemptMilliseconds: Int64,
        firstAttemptMilliseconds: Int64?,
        lastAttemptMilliseconds: Int64?,
        lastFailure: AttemptFailure?,
        deadLetterReason: String?,
        redrives: Int,
        replay: DeliveryReplay? = nil
    ) {
        self.id = id
        self.eventSequence = eventSequence
        self.rule = rule
        self.target = target
        self.input = input
        self.state = state
        self.attempts = attempts
        self.routedMilliseconds = routedMilliseconds
        self.nextAttemptMilliseconds = nextAttemptMilliseconds
        self.firstAttemptMilliseconds = firstAttemptMilliseconds
        self.lastAttemptMilliseconds = lastAttemptMilliseconds
        self.lastFailure = lastFailure
        self.deadLetterReason = deadLetterReason
        self.redrives = redrives
        self.replay = replay
    }

    /// A stable key for receivers to de-duplicate on: the same for every attempt and redrive.
    ///
    /// A replay's delivery has its own (``DeliveryReplay/idempotencyKey``), never the live one's.
    public var idempotencyKey: String {
        replay?.idempotencyKey ?? "tocsin-\(eventSequence)-\(id)"
    }

    /// The record as the API shows it.
    public var json: JSONValue {
        func number(_ value: Int64?) -> JSONValue {
            value.map { .number(JSONNumber($0)) } ?? .null
        }
        func time(_ value: Int64?) -> JSONValue {
            value.map { .string(Timestamp(epochMilliseconds: $0).text) } ?? .null
        }
        var members: [JSONObject.Member] = [
            .init(name: "id", value: number(id)),
            .init(name: "event", value: number(eventSequence)),
            .init(name: "rule", value: .string(rule)),
            .init(name: "target", value: .string(target)),
            .init(name: "state", value: .string(state.rawValue)),
            .init(name: "attempts", value: number(Int64(attempts))),
            .init(name: "routed_at", value: time(routedMilliseconds)),
            .init(name: "first_attempt_at", value: time(firstAttemptMilliseconds)),
            .init(name: "last_attempt_at", value: time(lastAttemptMilliseconds)),
        ]
        if state == .pending {
            members.append(.init(name: "next_attempt_at", value: time(nextAttemptMilliseconds)))
        }
        if let failure = lastFailure {
            members.append(.init(name: "error", value: failure.json))
        }
        if let reason = deadLetterReason {
            members.append(.init(name: "reason", value: .string(reason)))
        }
        members.append(.init(name: "redrives", value: number(Int64(redrives))))
        if let replay {
            members.append(.init(name: "replay", value: number(replay.id)))
        }
        return .object(JSONObject(members))
    }
}

extension AttemptFailure {
    /// The failure as the API and the log show it.
    public var json: JSONValue {
        var members: [JSONObject.Member] = [
            .init(name: "kind", value: .string(kind.rawValue)),
            .init(name: "message", value: .string(message)),
        ]
        if let status {
            members.append(.init(name: "status", value: .number(JSONNumber(Int64(status)))))
        }
        if let exitStatus {
            members.append(.init(name: "exit_status", value: .number(JSONNumber(Int64(exitStatus)))))
        }
        return .object(JSONObject(members))
    }
}

/// Which deliveries an operator means (for listing, redriving and purging).
public struct DeliveryFilter: Sendable, Hashable {
    /// Only these delivery ids.
    public var ids: [Int64]?
    /// The target's name.
    public var target: String?
    /// The rule that matched.
    public var rule: String?
    /// A failure kind (`http-status`, `timeout`, …) or a dead-letter reason (`max-attempts`, …).
    public var error: String?
    /// The most dead letters to return.
    public var limit: Int

    /// Creates a filter; unset fields match everything.
    public init(
        ids: [Int64]? = nil,
        target: String? = nil,
        rule: String? = nil,
        error: String? = nil,
        limit: Int = 1000
    ) {
        self.ids = ids
        self.target = target
        self.rule = rule
        self.error = error
        self.limit = limit
    }
}
