// SPDX-License-Identifier: Apache-2.0

import TocsinCore
import TocsinResponse

/// A delivery as a message of the cluster's deliveries stream (pending) or dead-letter stream: the
/// JSON payload, written by the router or the delivery queue and read back by any node.
///
/// A pending delivery's id is its sequence in the deliveries stream and its attempts come from the
/// stream's delivery count, so the payload carries only what the router decided; a dead letter
/// also carries how its attempts ended.
struct ClusterDeliveryMessage: Sendable, Hashable {
    /// The delivery as the engine sees it (its id and attempts set by the reader).
    var record: DeliveryRecord

    /// The payload: the routing decision, and for a dead letter its attempts, last failure and reason.
    var payload: [UInt8] {
        var members: [JSONObject.Member] = [
            .init(name: "event", value: .number(JSONNumber(record.eventSequence))),
            .init(name: "rule", value: .string(record.rule)),
            .init(name: "target", value: .string(record.target)),
            .init(name: "routed_ms", value: .number(JSONNumber(record.routedMilliseconds))),
        ]
        if let input = record.input {
            members.append(.init(name: "input", value: .object(JSONObject([input.jsonMember]))))
        }
        if record.redrives > 0 || record.state == .deadLettered {
            // A redriven or dead-lettered delivery keeps the id it was routed with.
            members += [
                .init(name: "delivery", value: .number(JSONNumber(record.id))),
                .init(name: "redrives", value: .number(JSONNumber(Int64(record.redrives)))),
            ]
        }
        if record.state == .deadLettered {
            members += [
                .init(name: "attempts", value: .number(JSONNumber(Int64(record.attempts)))),
                .init(name: "reason", value: .string(record.deadLetterReason ?? "")),
            ]
            if let first = record.firstAttemptMilliseconds {
                members.append(.init(name: "first_attempt_ms", value: .number(JSONNumber(first))))
            }
            if let last = record.lastAttemptMilliseconds {
                members.append(.init(name: "last_attempt_ms", value: .number(JSONNumber(last))))
            }
            if let failure = record.lastFailure {
                members.append(.init(name: "error", value: failure.json))
            }
        }
        return Array(JSONWriter().string(.object(JSONObject(members))).utf8)
    }

    /// A pending delivery read from the deliveries stream at `sequence`.
    ///
    /// It was delivered `deliveries` times, this time included: every earlier delivery counts as an
    /// attempt, since a node that died holding one may have made it. Its id is the sequence it was
    /// first routed at.
    init(pending payload: [UInt8], sequence: Int64, deliveries: Int) throws(ClusterDeliveryMessageError) {
        let object = try Self.object(payload)
        guard let event = Self.integer(object["event"]), let rule = object["rule"]?.stringValue,
            let target = object["target"]?.stringValue, let routed = Self.integer(object["routed_ms"])
        else {
            throw ClusterDeliveryMessageError(sequence: sequence)
        }
        var input: InputTransform?
        if case .object(let transform)? = object["input"], let member = transform.members.first {
            input = InputTransform(member: member)
        }
        record = DeliveryRecord(
            id: Self.integer(object["delivery"]) ?? sequence,
            eventSequence: event,
            rule: rule,
            target: target,
            input: input,
            state: .pending,
            attempts: max(0, deliveries - 1),
            routedMilliseconds: routed,
            nextAttemptMilliseconds: routed,
            firstAttemptMilliseconds: nil,
            lastAttemptMilliseconds: nil,
            lastFailure: nil,
            deadLetterReason: nil,
            redrives: Int(Self.integer(object["redrives"]) ?? 0)
        )
    }

    /// A dead letter read from the dead-letter stream.
    init(deadLetter payload: [UInt8], sequence: Int64) throws(ClusterDeliveryMessageError) {
        var message = try Self(pending: payload, sequence: sequence, deliveries: 1)
        let object = try Self.object(payload)
        guard Self.integer(object["delivery"]) != nil, let attempts = Self.integer(object["attempts"]),
            let reason = object["reason"]?.stringValue
        else {
            throw ClusterDeliveryMessageError(sequence: sequence)
        }
        message.record.state = .deadLettered
        message.record.attempts = Int(attempts)
        message.record.deadLetterReason = reason
        message.record.firstAttemptMilliseconds = Self.integer(object["first_attempt_ms"])
        message.record.lastAttemptMilliseconds = Self.integer(object["last_attempt_ms"])
        if case .object(let error)? = object["error"], let kindName = error["kind"]?.stringValue,
            let kind = AttemptFailure.Kind(rawValue: kindName)
        {
            message.record.lastFailure = AttemptFailure(
                kind: kind,
                status: Self.integer(error["status"]).map { Int($0) },
                exitStatus: Self.integer(error["exit_status"]).flatMap { Int32(exactly: $0) },
                message: error["message"]?.stringValue ?? ""
            )
        }
        self = message
    }

    /// Wraps a record.
    init(_ record: DeliveryRecord) {
        self.record = record
    }

    /// Whether the dead letter is one `filter` selects.
    func matches(_ filter: DeliveryFilter) -> Bool {
        if let ids = filter.ids, !ids.contains(record.id) {
            return false
        }
        if let target = filter.target, target != record.target {
            return false
        }
        if let rule = filter.rule, rule != record.rule {
            return false
        }
        if let error = filter.error, error != record.deadLetterReason, error != record.lastFailure?.kind.rawValue {
            return false
        }
        return true
    }

    private static func integer(_ value: JSONValue?) -> Int64? {
        guard case .number(let number)? = value else {
            return nil
        }
        return number.int64Value
    }

    private static func object(_ payload: [UInt8]) throws(ClusterDeliveryMessageError) -> JSONObject {
        guard case .object(let object)? = try? JSONParser().parse(payload) else {
            throw ClusterDeliveryMessageError(sequence: nil)
        }
        return object
    }
}

/// A message of the deliveries or dead-letter stream that is not a Tocsin delivery.
struct ClusterDeliveryMessageError: Error, Sendable, CustomStringConvertible {
    /// Its stream sequence, when known.
    var sequence: Int64?

    var description: String {
        "the message\(sequence.map { " at sequence \($0)" } ?? "") is not a Tocsin delivery "
            + "(expected JSON with event, rule, target and routed_ms); something other than a Tocsin node published it"
    }
}
