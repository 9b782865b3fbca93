// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCluster

/// One input at one time, the decisions it must produce and, when given, the next wake.
struct LeaseStep: Sendable {
    var now: Int64
    var input: LeaseElection.Input
    var expected: [LeaseElection.Decision]
    var wake: Int64??

    init(_ now: Int64, _ input: LeaseElection.Input, _ expected: [LeaseElection.Decision], wake: Int64?? = nil) {
        self.now = now
        self.input = input
        self.expected = expected
        self.wake = wake
    }
}

/// A named transition table for one election.
struct LeaseCase: Sendable, CustomTestStringConvertible {
    var name: String
    var steps: [LeaseStep]
    var testDescription: String { name }
}

/// The lease election as tables of input → decisions at explicit times (a 10 s lease renewed every
/// 3 s, 1 s of skew and a 1 s margin: the holder stops 2 s before the expiry it wrote).
struct LeaseElectionTests {
    static let t: Int64 = 1_000_000
    static let a = "a/0000000000000001"
    static let b = "b/0000000000000002"

    static func mine(_ expires: Int64) -> LeaseRecord { LeaseRecord(holder: a, expiresMilliseconds: expires) }
    static func theirs(_ expires: Int64, revision: UInt64) -> LeaseEntry {
        LeaseEntry(record: LeaseRecord(holder: b, expiresMilliseconds: expires), revision: revision)
    }
    static func own(_ expires: Int64, revision: UInt64) -> LeaseEntry {
        LeaseEntry(record: mine(expires), revision: revision)
    }

    /// The steps that make `a` the holder at revision 1, with a lease written at `t` (expiry t+10 s).
    static let leading: [LeaseStep] = [
        LeaseStep(t, .tick, [.read], wake: .some(nil)),
        LeaseStep(t, .observed(nil), [.acquire(mine(t + 10_000))]),
        LeaseStep(t + 5, .written(.succeeded(revision: 1)), [.lead(untilMilliseconds: t + 8000)], wake: t + 3000),
    ]

    static let cases: [LeaseCase] = [
        LeaseCase(name: "an absent key is created and only a stored create leads", steps: leading),
        LeaseCase(
            name: "a create conflict never counts as acquired",
            steps: [
                LeaseStep(t, .tick, [.read]),
                LeaseStep(t, .observed(nil), [.acquire(mine(t + 10_000))]),
                LeaseStep(t + 5, .written(.conflict), [.read]),
                LeaseStep(
                    t + 6,
                    .observed(theirs(t + 10_000, revision: 1)),
                    [.standBy(holder: b, untilMilliseconds: t + 10_000)],
                    wake: t + 10_000
                ),
            ]
        ),
        LeaseCase(
            name: "a failed create is read back, and an own record found there is rewritten before leading",
            steps: [
                LeaseStep(t, .tick, [.read]),
                LeaseStep(t, .observed(nil), [.acquire(mine(t + 10_000))]),
                LeaseStep(t + 5, .written(.failed), [], wake: t + 255),
                LeaseStep(t + 100, .tick, []),
                LeaseStep(t + 255, .tick, [.read]),
                LeaseStep(
                    t + 260,
                    .observed(own(t + 10_000, revision: 1)),
                    [.takeOver(mine(t + 10_260), expectedRevision: 1)]
                ),
                LeaseStep(t + 270, .written(.succeeded(revision: 2)), [.lead(untilMilliseconds: t + 8260)]),
            ]
        ),
        LeaseCase(
            name: "a failed read is asked again after the retry delay",
            steps: [
                LeaseStep(t, .tick, [.read]),
                LeaseStep(t + 5, .readFailed, [], wake: t + 255),
                LeaseStep(t + 100, .tick, []),
                LeaseStep(t + 255, .tick, [.read]),
                LeaseStep(t + 260, .observed(nil), [.acquire(mine(t + 10_260))]),
            ]
        ),
        LeaseCase(
            name: "a dead holder's lease is taken over at its expiry, at its revision",
            steps: [
                LeaseStep(t, .tick, [.read]),
                LeaseStep(
                    t,
                    .observed(theirs(t + 10_000, revision: 4)),
                    [.standBy(holder: b, untilMilliseconds: t + 10_000)]
                ),
                LeaseStep(t + 9999, .tick, [.standBy(holder: b, untilMilliseconds: t + 10_000)]),
                LeaseStep(t + 10_000, .tick, [.takeOver(mine(t + 20_000), expectedRevision: 4)], wake: .some(nil)),
                LeaseStep(t + 10_010, .written(.succeeded(revision: 5)), [.lead(untilMilliseconds: t + 18_000)]),
            ]
        ),
        LeaseCase(
            name: "a takeover that loses the race stands by for the winner",
            steps: [
                LeaseStep(t, .observed(theirs(t, revision: 4)), [.takeOver(mine(t + 10_000), expectedRevision: 4)]),
                LeaseStep(t + 5, .written(.conflict), [.read]),
                LeaseStep(
                    t + 6,
                    .observed(theirs(t + 10_000, revision: 5)),
                    [.standBy(holder: b, untilMilliseconds: t + 10_000)]
                ),
            ]
        ),
        LeaseCase(
            name: "a released lease is taken at once",
            steps: [
                LeaseStep(t, .observed(theirs(0, revision: 3)), [.takeOver(mine(t + 10_000), expectedRevision: 3)])
            ]
        ),
        LeaseCase(
            name: "the leader renews at its revision every 3 s",
            steps: leading + [
                LeaseStep(t + 2999, .tick, []),
                LeaseStep(t + 3000, .tick, [.renew(mine(t + 13_000), expectedRevision: 1)], wake: t + 8000),
                LeaseStep(
                    t + 3010,
                    .written(.succeeded(revision: 2)),
                    [.lead(untilMilliseconds: t + 11_000)],
                    wake: t + 6000
                ),
            ]
        ),
        LeaseCase(
            name: "failing renewals are retried, and the leader steps down 2 s before the expiry it wrote",
            steps: leading + [
                LeaseStep(t + 3000, .tick, [.renew(mine(t + 13_000), expectedRevision: 1)]),
                LeaseStep(t + 3010, .written(.failed), [], wake: t + 3260),
                LeaseStep(t + 3260, .tick, [.renew(mine(t + 13_260), expectedRevision: 1)]),
                LeaseStep(t + 7990, .written(.failed), []),
                LeaseStep(t + 7999, .tick, []),
                // Past the hold: stop first, then try to win its own record back at its revision.
                LeaseStep(
                    t + 8240,
                    .tick,
                    [.stepDown(.expiring), .takeOver(mine(t + 18_240), expectedRevision: 1)]
                ),
            ]
        ),
        LeaseCase(
            name: "a renewal conflict means another holder: step down at once and read",
            steps: leading + [
                LeaseStep(t + 3000, .tick, [.renew(mine(t + 13_000), expectedRevision: 1)]),
                LeaseStep(t + 3010, .written(.conflict), [.stepDown(.lost), .read]),
            ]
        ),
        LeaseCase(
            name: "another holder seen through the watch steps the leader down",
            steps: leading + [
                LeaseStep(t + 100, .observed(own(t + 10_000, revision: 1)), []),
                LeaseStep(t + 200, .observed(theirs(t + 20_000, revision: 2)), [.stepDown(.lost)]),
                LeaseStep(t + 300, .tick, [.standBy(holder: b, untilMilliseconds: t + 20_000)]),
            ]
        ),
        LeaseCase(
            name: "a renewal seen through the watch before its answer extends the hold once",
            steps: leading + [
                LeaseStep(t + 3000, .tick, [.renew(mine(t + 13_000), expectedRevision: 1)]),
                LeaseStep(t + 3005, .observed(own(t + 13_000, revision: 2)), [.lead(untilMilliseconds: t + 11_000)]),
                LeaseStep(t + 3010, .written(.succeeded(revision: 2)), [.lead(untilMilliseconds: t + 11_000)]),
                LeaseStep(t + 3020, .observed(own(t + 13_000, revision: 2)), []),
            ]
        ),
        LeaseCase(
            name: "a deleted key steps the leader down; the next tick creates it again",
            steps: leading + [
                LeaseStep(t + 100, .observed(nil), [.stepDown(.lost)]),
                LeaseStep(t + 200, .tick, [.acquire(mine(t + 10_200))]),
            ]
        ),
        LeaseCase(
            name: "shutdown stops the work before the lease is released at its revision",
            steps: leading + [
                LeaseStep(t + 100, .shutdown, [.stepDown(.shutdown), .release(mine(0), expectedRevision: 1)]),
                LeaseStep(t + 110, .written(.succeeded(revision: 2)), [], wake: .some(nil)),
                LeaseStep(t + 5000, .tick, []),
                LeaseStep(t + 5000, .observed(nil), []),
            ]
        ),
        LeaseCase(
            name: "a create answered after shutdown is released at once",
            steps: [
                LeaseStep(t, .observed(nil), [.acquire(mine(t + 10_000))]),
                LeaseStep(t + 1, .shutdown, []),
                LeaseStep(t + 5, .written(.succeeded(revision: 1)), [.release(mine(0), expectedRevision: 1)]),
            ]
        ),
        LeaseCase(
            name: "an observation older than what is known is ignored",
            steps: [
                LeaseStep(
                    t,
                    .observed(theirs(t + 20_000, revision: 5)),
                    [.standBy(holder: b, untilMilliseconds: t + 20_000)]
                ),
                LeaseStep(t + 1, .observed(theirs(t, revision: 3)), []),
                LeaseStep(t + 2, .tick, [.standBy(holder: b, untilMilliseconds: t + 20_000)]),
            ]
        ),
    ]

    @Test("lease transitions", arguments: cases)
    func transitions(_ table: LeaseCase) {
        var election = LeaseElection(candidate: Self.a)
        for (index, step) in table.steps.enumerated() {
            let decisions = election.handle(step.input, now: step.now)
            #expect(decisions == step.expected, "step \(index): \(step.input)")
            if let wake = step.wake {
                #expect(election.nextWake(now: step.now) == wake, "wake after step \(index)")
            }
        }
    }

    @Test("leads only inside the hold window, and a revision conflict never leads")
    func leadershipWindow() {
        var election = LeaseElection(candidate: Self.a)
        _ = election.handle(.observed(nil), now: Self.t)
        #expect(!election.isLeader(now: Self.t))
        _ = election.handle(.written(.conflict), now: Self.t + 1)
        #expect(!election.isLeader(now: Self.t + 1))
        #expect(election.heldRevision == nil)
        _ = election.handle(.observed(nil), now: Self.t + 2)
        _ = election.handle(.written(.succeeded(revision: 7)), now: Self.t + 3)
        #expect(election.heldRevision == 7)
        #expect(election.isLeader(now: Self.t + 8001))
        #expect(!election.isLeader(now: Self.t + 8002))
    }

    @Test("a candidate identity is the node name and 16 hex digits")
    func candidateIdentity() {
        var random = SplitMix(seed: 1)
        let first = LeaseElection.candidateIdentity(node: "node-1", using: &random)
        let second = LeaseElection.candidateIdentity(node: "node-1", using: &random)
        #expect(first.hasPrefix("node-1/"))
        #expect(first.count == "node-1/".count + 16)
        #expect(first != second)
    }
}
