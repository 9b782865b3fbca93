// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCluster

/// Publishing through a stream leader election: retries of the same message id, then 503.
struct PublishBackPressureTests {
    static let t: Int64 = 1_000_000

    struct Election: Sendable, CustomTestStringConvertible {
        var name: String
        var maxWaitMilliseconds: Int64
        /// How long the stream has no leader after the first attempt starts.
        var electionMilliseconds: Int64
        /// How long one failed attempt takes (2 ms for "no responders", 1 s for a timeout).
        var attemptMilliseconds: Int64
        var expected: PublishBackPressure.Decision
        var testDescription: String { name }
    }

    /// The elections measured on this machine kind took 4.6, 5.35 and 7.23 s.
    static let elections: [Election] = [
        Election(
            name: "a 4.6 s election within an 8 s wait is acknowledged",
            maxWaitMilliseconds: 8000,
            electionMilliseconds: 4570,
            attemptMilliseconds: 2,
            expected: .acknowledged(sequence: 42, isDuplicate: false)
        ),
        Election(
            name: "a 5.35 s election within an 8 s wait is acknowledged",
            maxWaitMilliseconds: 8000,
            electionMilliseconds: 5350,
            attemptMilliseconds: 2,
            expected: .acknowledged(sequence: 42, isDuplicate: false)
        ),
        Election(
            name: "a 7.23 s election within an 8 s wait is acknowledged",
            maxWaitMilliseconds: 8000,
            electionMilliseconds: 7230,
            attemptMilliseconds: 2,
            expected: .acknowledged(sequence: 42, isDuplicate: false)
        ),
        Election(
            name: "a 7.23 s election of 1 s timeouts within an 8 s wait is acknowledged",
            maxWaitMilliseconds: 8000,
            electionMilliseconds: 7230,
            attemptMilliseconds: 1000,
            expected: .acknowledged(sequence: 42, isDuplicate: false)
        ),
        Election(
            name: "a 7.23 s election beyond a 2 s wait answers 503, retry after the 5 s left of an election",
            maxWaitMilliseconds: 2000,
            electionMilliseconds: 7230,
            attemptMilliseconds: 2,
            expected: .unavailable(retryAfterSeconds: 5)
        ),
        Election(
            name: "a 5.35 s election beyond a 5 s wait answers 503, retry after 2 s",
            maxWaitMilliseconds: 5000,
            electionMilliseconds: 5350,
            attemptMilliseconds: 2,
            expected: .unavailable(retryAfterSeconds: 2)
        ),
        Election(
            name: "a stall longer than an election answers 503, retry after a whole election",
            maxWaitMilliseconds: 9000,
            electionMilliseconds: 60_000,
            attemptMilliseconds: 2,
            expected: .unavailable(retryAfterSeconds: 7)
        ),
    ]

    @Test("publishing through a leader election", arguments: elections)
    func throughAnElection(_ election: Election) {
        let configuration = PublishBackPressure.Configuration(maxWaitMilliseconds: election.maxWaitMilliseconds)
        var pressure = PublishBackPressure(configuration: configuration, now: Self.t, random: CeilingRandom())
        var start = Self.t
        var retries = 0
        while true {
            let end = start + election.attemptMilliseconds
            let outcome: PublishBackPressure.Outcome =
                end < Self.t + election.electionMilliseconds
                ? (election.attemptMilliseconds >= 1000 ? .timedOut : .noResponders)
                : .stored(sequence: 42)
            let decision = pressure.record(outcome, now: end)
            guard case .retry(let at) = decision else {
                #expect(decision == election.expected)
                break
            }
            #expect(at >= end && at <= pressure.deadlineMilliseconds, "retry \(retries) at \(at - Self.t)")
            retries += 1
            start = at
        }
        #expect(pressure.attempts == retries + 1)
        #expect(retries < 40, "backoff keeps the attempts few: \(retries)")
    }

    struct Single: Sendable, CustomTestStringConvertible {
        var outcome: PublishBackPressure.Outcome
        var expected: PublishBackPressure.Decision
        var testDescription: String { "\(outcome)" }
    }

    @Test(
        "one answer decides at once",
        arguments: [
            Single(outcome: .stored(sequence: 7), expected: .acknowledged(sequence: 7, isDuplicate: false)),
            Single(outcome: .duplicate(sequence: 3), expected: .acknowledged(sequence: 3, isDuplicate: true)),
            Single(outcome: .failed, expected: .failed),
            Single(outcome: .noResponders, expected: .retry(atMilliseconds: t + 25)),
            Single(outcome: .timedOut, expected: .retry(atMilliseconds: t + 1020)),
        ]
    )
    func single(_ case: Single) {
        var pressure = PublishBackPressure(now: Self.t, random: CeilingRandom())
        let answeredAt = `case`.outcome == .timedOut ? Self.t + 1000 : Self.t + 5
        #expect(pressure.record(`case`.outcome, now: answeredAt) == `case`.expected)
    }

    @Test("a retry after a lost answer that comes back as a duplicate is acknowledged once, as stored")
    func retriedDuplicate() {
        var pressure = PublishBackPressure(now: Self.t, random: CeilingRandom())
        #expect(pressure.record(.timedOut, now: Self.t + 1000) == .retry(atMilliseconds: Self.t + 1020))
        #expect(
            pressure.record(.duplicate(sequence: 9), now: Self.t + 1021)
                == .acknowledged(sequence: 9, isDuplicate: true)
        )
        #expect(pressure.attempts == 2)
    }

    @Test("the backoff ceiling doubles from 20 ms up to 500 ms")
    func ceilings() {
        let configuration = PublishBackPressure.Configuration()
        let ceilings = [1, 2, 3, 4, 5, 6, 7, 64].map { configuration.backoffCeiling(afterFailures: $0) }
        #expect(ceilings == [20, 40, 80, 160, 320, 500, 500, 500])
    }

    @Test("jittered delays stay between half and all of the ceiling", arguments: 1...8)
    func jitter(seed: Int) {
        var pressure = PublishBackPressure(now: Self.t, random: SplitMix(seed: UInt64(seed)))
        var now = Self.t
        for failures in 1...10 {
            let ceiling = pressure.configuration.backoffCeiling(afterFailures: failures)
            guard case .retry(let at) = pressure.record(.noResponders, now: now) else {
                Issue.record("no retry after \(failures) failures")
                return
            }
            #expect((now + ceiling / 2...now + ceiling).contains(at))
            now = at
        }
    }
}
