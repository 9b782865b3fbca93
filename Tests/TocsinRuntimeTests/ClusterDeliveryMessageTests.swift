// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinResponse

@testable import TocsinRuntime

struct ClusterDeliveryMessageTests {
    private static func routed(input: InputTransform? = nil) -> DeliveryRecord {
        DeliveryRecord(
            id: 0,
            eventSequence: 42,
            rule: "pings",
            target: "hook ü",
            input: input,
            state: .pending,
            attempts: 0,
            routedMilliseconds: 1_700_000_000_000,
            nextAttemptMilliseconds: 1_700_000_000_000,
            firstAttemptMilliseconds: nil,
            lastAttemptMilliseconds: nil,
            lastFailure: nil,
            deadLetterReason: nil,
            redrives: 0
        )
    }

    @Test func aRoutedDeliveryTakesItsIdFromTheSequenceAndItsAttemptsFromTheDeliveryCount() throws {
        let input = InputTransform(member: .init(name: "input_path", value: .string("$.data")))
        let payload = ClusterDeliveryMessage(Self.routed(input: input)).payload
        let read = try ClusterDeliveryMessage(pending: payload, sequence: 7, deliveries: 3).record
        #expect(read.id == 7)
        #expect(read.attempts == 2)
        #expect(read.eventSequence == 42 && read.rule == "pings" && read.target == "hook ü")
        #expect(read.input == input && input != nil)
        #expect(read.routedMilliseconds == 1_700_000_000_000 && read.redrives == 0 && read.state == .pending)
        #expect(try ClusterDeliveryMessage(pending: payload, sequence: 7, deliveries: 1).record.attempts == 0)
    }

    @Test func aDeadLetterKeepsItsIdReasonAndLastFailureAndARedriveKeepsTheId() throws {
        var letter = Self.routed()
        letter.id = 7
        letter.state = .deadLettered
        letter.attempts = 2
        letter.lastAttemptMilliseconds = 1_700_000_000_500
        letter.lastFailure = AttemptFailure(kind: .httpStatus, status: 503, message: "503 Service Unavailable")
        letter.deadLetterReason = "max-attempts"
        let read = try ClusterDeliveryMessage(deadLetter: ClusterDeliveryMessage(letter).payload, sequence: 99).record
        #expect(read == letter)

        var redriven = letter
        redriven.state = .pending
        redriven.redrives = 1
        let again = try ClusterDeliveryMessage(
            pending: ClusterDeliveryMessage(redriven).payload,
            sequence: 120,
            deliveries: 1
        ).record
        #expect(again.id == 7 && again.redrives == 1 && again.attempts == 0)
    }

    @Test(arguments: [
        "not json", "[]", #"{"rule":"r","target":"t","routed_ms":1}"#,
        #"{"event":"1","rule":"r","target":"t","routed_ms":1}"#,
    ])
    func aMessageThatIsNotADeliveryIsRefused(_ text: String) {
        #expect(throws: ClusterDeliveryMessageError.self) {
            try ClusterDeliveryMessage(pending: Array(text.utf8), sequence: 3, deliveries: 1)
        }
    }

    @Test func aPendingDeliveryIsNotADeadLetter() {
        let payload = ClusterDeliveryMessage(Self.routed()).payload
        #expect(throws: ClusterDeliveryMessageError.self) {
            try ClusterDeliveryMessage(deadLetter: payload, sequence: 3)
        }
    }

    @Test(arguments: [
        (DeliveryFilter(), true), (DeliveryFilter(ids: [7]), true), (DeliveryFilter(ids: [8]), false),
        (DeliveryFilter(target: "hook ü"), true), (DeliveryFilter(target: "hook"), false),
        (DeliveryFilter(rule: "pings"), true), (DeliveryFilter(rule: "other"), false),
        (DeliveryFilter(error: "max-attempts"), true), (DeliveryFilter(error: "http-status"), true),
        (DeliveryFilter(error: "timeout"), false),
    ])
    func aFilterSelectsDeadLetters(_ filter: DeliveryFilter, _ selected: Bool) {
        var letter = Self.routed()
        letter.id = 7
        letter.deadLetterReason = "max-attempts"
        letter.lastFailure = AttemptFailure(kind: .httpStatus, status: 500, message: "")
        #expect(ClusterDeliveryMessage(letter).matches(filter) == selected)
    }
}

#if NATS
struct ClusterDeliveryQueueSubjectTests {
    @Test(arguments: ["hook", "a.b", "hook ü", "*", ">"])
    func aTargetNameIsOneSubjectTokenAndReadsBack(_ name: String) {
        let subject = ClusterDeliveryQueue.subject(target: name)
        #expect(subject.split(separator: ".", omittingEmptySubsequences: false).count == 3)
        #expect(!subject.contains("*") && !subject.contains(">") && !subject.contains(" "))
        #expect(ClusterDeliveryQueue.target(subject: subject) == name)
    }

    @Test(arguments: ["tocsin.events.x", "tocsin.deliveries.zz", "tocsin.deliveries.abc", "tocsin.deliveries.ff"])
    func aSubjectThatNamesNoTargetIsNone(_ subject: String) {
        #expect(ClusterDeliveryQueue.target(subject: subject) == nil)
    }
}
#endif
