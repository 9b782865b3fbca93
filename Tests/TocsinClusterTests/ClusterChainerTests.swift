// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCluster
import TocsinCore

/// One input at one time, the decisions it must produce and, when given, the next wake.
struct ChainStep: Sendable {
    var now: Int64
    var input: ClusterChainer.Input
    var expected: [ClusterChainer.Decision]
    var wake: Int64??

    init(_ now: Int64, _ input: ClusterChainer.Input, _ expected: [ClusterChainer.Decision], wake: Int64?? = nil) {
        self.now = now
        self.input = input
        self.expected = expected
        self.wake = wake
    }
}

/// A named transition table for one chainer.
struct ChainCase: Sendable, CustomTestStringConvertible {
    var name: String
    var configuration = ClusterChainer.Configuration()
    var steps: [ChainStep]
    var testDescription: String { name }
}

/// Stream messages, their chain hashes and the chain records a correct chainer writes.
enum Chain {
    static let t: Int64 = 1_000_000
    static let limit = ClusterChainer.Configuration().maxMessagesPerRecord

    static func digest(_ sequence: Int64) -> [UInt8] {
        HashChain.digest(canonical: Array("record \(sequence)".utf8))
    }

    static func message(_ sequence: Int64, announcement: Bool = false) -> ChainMessage {
        ChainMessage(
            sequence: sequence,
            canonical: Array("record \(sequence)".utf8),
            isCheckpointAnnouncement: announcement
        )
    }

    static func messages(_ range: ClosedRange<Int64>) -> [ChainMessage] {
        range.map { message($0) }
    }

    /// The chain hash at `sequence`, folded from genesis over every digest before it.
    static func hash(_ sequence: Int64) -> [UInt8] {
        (0..<sequence).reduce(HashChain.genesis) { running, index in
            HashChain.link(previous: running, digest: digest(index + 1))
        }
    }

    static func record(
        _ range: ClosedRange<Int64>,
        checkpointAt signed: Int64? = nil,
        lastCheckpoint: (Int64, Int64) = (0, 0)
    ) -> ChainRecord {
        let checkpoint = signed.map {
            ChainCheckpoint(sequence: range.upperBound, hash: hash(range.upperBound), signedMilliseconds: $0)
        }
        return ChainRecord(
            firstSequence: range.lowerBound,
            previousHash: hash(range.lowerBound - 1),
            hashes: range.map { hash($0) },
            checkpoint: checkpoint,
            lastCheckpointSequence: checkpoint?.sequence ?? lastCheckpoint.0,
            lastCheckpointMilliseconds: checkpoint?.signedMilliseconds ?? lastCheckpoint.1
        )
    }

    static func checkpointOnly(after sequence: Int64, at signed: Int64) -> ChainRecord {
        ChainRecord(
            firstSequence: sequence + 1,
            previousHash: hash(sequence),
            hashes: [],
            checkpoint: ChainCheckpoint(sequence: sequence, hash: hash(sequence), signedMilliseconds: signed),
            lastCheckpointSequence: sequence,
            lastCheckpointMilliseconds: signed
        )
    }

    static func fetch(after sequence: Int64) -> ClusterChainer.Decision {
        .fetch(afterSequence: sequence, limit: limit)
    }

    /// A leader that has read an empty store at `t`.
    static let started: [ChainStep] = [
        ChainStep(t, .leading, [.readHead], wake: .some(nil)),
        ChainStep(t, .headRead(nil), [fetch(after: 0)]),
    ]
}

struct ClusterChainerTests {
    typealias C = Chain
    static let t = Chain.t

    static let cases: [ChainCase] = [
        ChainCase(
            name: "an empty store starts from genesis and links a fetch into one record",
            steps: C.started + [
                ChainStep(t + 1, .fetched(C.messages(1...3)), [.append(C.record(1...3), expectedStoreSequence: 0)]),
                ChainStep(t + 2, .appended(storeSequence: 1), [C.fetch(after: 3)]),
            ]
        ),
        ChainCase(
            name: "a record links at most the configured number of messages; the rest are fetched again",
            configuration: ClusterChainer.Configuration(maxMessagesPerRecord: 2),
            steps: [
                ChainStep(t, .leading, [.readHead]),
                ChainStep(t, .headRead(nil), [.fetch(afterSequence: 0, limit: 2)]),
                ChainStep(t + 1, .fetched(C.messages(1...3)), [.append(C.record(1...2), expectedStoreSequence: 0)]),
                ChainStep(t + 2, .appended(storeSequence: 1), [.fetch(afterSequence: 2, limit: 2)]),
                ChainStep(t + 3, .fetched(C.messages(3...3)), [.append(C.record(3...3), expectedStoreSequence: 1)]),
            ]
        ),
        ChainCase(
            name: "a new leader resumes after the last durable record and skips what it already chains",
            steps: [
                ChainStep(t, .leading, [.readHead]),
                ChainStep(t, .headRead(ChainHead(record: C.record(1...3), storeSequence: 5)), [C.fetch(after: 3)]),
                ChainStep(t + 1, .fetched(C.messages(2...5)), [.append(C.record(4...5), expectedStoreSequence: 5)]),
                ChainStep(t + 2, .appended(storeSequence: 6), [C.fetch(after: 5)]),
            ]
        ),
        ChainCase(
            name: "a gap at the start of a fetch halts and reports the missing sequence",
            steps: [
                ChainStep(t, .leading, [.readHead]),
                ChainStep(t, .headRead(ChainHead(record: C.record(1...3), storeSequence: 1)), [C.fetch(after: 3)]),
                ChainStep(t + 1, .fetched(C.messages(5...6)), [.halt(.gap(expected: 4, found: 5))], wake: .some(nil)),
                ChainStep(t + 2, .tick, []),
                ChainStep(t + 3, .fetched(C.messages(4...6)), []),
            ]
        ),
        ChainCase(
            name: "a gap inside a fetch halts without writing the part before it",
            steps: C.started + [
                ChainStep(
                    t + 1,
                    .fetched([C.message(1), C.message(2), C.message(4)]),
                    [.halt(.gap(expected: 3, found: 4))]
                )
            ]
        ),
        ChainCase(
            name: "a conflict re-reads the head, and an own write that was stored continues",
            steps: C.started + [
                ChainStep(t + 1, .fetched(C.messages(1...3)), [.append(C.record(1...3), expectedStoreSequence: 0)]),
                ChainStep(t + 2, .failed, [], wake: t + 252),
                ChainStep(t + 252, .tick, [.append(C.record(1...3), expectedStoreSequence: 0)]),
                ChainStep(t + 253, .appendConflict, [.readHead]),
                ChainStep(
                    t + 254,
                    .headRead(ChainHead(record: C.record(1...3), storeSequence: 1)),
                    [C.fetch(after: 3)]
                ),
                ChainStep(t + 255, .fetched(C.messages(4...4)), [.append(C.record(4...4), expectedStoreSequence: 1)]),
            ]
        ),
        ChainCase(
            name: "a conflict after another writer moved the chain on steps down, and answers are then ignored",
            steps: C.started + [
                ChainStep(t + 1, .fetched(C.messages(1...3)), [.append(C.record(1...3), expectedStoreSequence: 0)]),
                ChainStep(t + 2, .appendConflict, [.readHead]),
                ChainStep(t + 3, .headRead(ChainHead(record: C.record(1...2), storeSequence: 1)), [.stepDown]),
                ChainStep(t + 4, .fetched(C.messages(1...3)), []),
                ChainStep(t + 5, .appended(storeSequence: 9), []),
            ]
        ),
        ChainCase(
            name: "a conflict with the chain unchanged starts again from the head",
            steps: [
                ChainStep(t, .leading, [.readHead]),
                ChainStep(t, .headRead(ChainHead(record: C.record(1...3), storeSequence: 4)), [C.fetch(after: 3)]),
                ChainStep(t + 1, .fetched(C.messages(4...5)), [.append(C.record(4...5), expectedStoreSequence: 4)]),
                ChainStep(t + 2, .appendConflict, [.readHead]),
                ChainStep(t + 3, .headRead(ChainHead(record: C.record(1...3), storeSequence: 5)), [C.fetch(after: 3)]),
                ChainStep(t + 4, .fetched(C.messages(4...5)), [.append(C.record(4...5), expectedStoreSequence: 5)]),
            ]
        ),
        ChainCase(
            name: "failed reads and fetches are retried after the retry delay",
            steps: [
                ChainStep(t, .leading, [.readHead]),
                ChainStep(t + 1, .failed, [], wake: t + 251),
                ChainStep(t + 250, .tick, []),
                ChainStep(t + 251, .tick, [.readHead]),
                ChainStep(t + 252, .headRead(nil), [C.fetch(after: 0)]),
                ChainStep(t + 253, .failed, []),
                ChainStep(t + 503, .tick, [C.fetch(after: 0)]),
            ]
        ),
        ChainCase(
            name: "a checkpoint closes the record in which the record count was reached",
            configuration: ClusterChainer.Configuration(checkpointEveryRecords: 3),
            steps: C.started + [
                ChainStep(t + 1, .fetched(C.messages(1...2)), [.append(C.record(1...2), expectedStoreSequence: 0)]),
                ChainStep(t + 2, .appended(storeSequence: 1), [C.fetch(after: 2)]),
                ChainStep(
                    t + 3,
                    .fetched(C.messages(3...4)),
                    [.append(C.record(3...4, checkpointAt: t + 3), expectedStoreSequence: 1)]
                ),
                ChainStep(
                    t + 4,
                    .appended(storeSequence: 2),
                    [
                        .announce(ChainCheckpoint(sequence: 4, hash: C.hash(4), signedMilliseconds: t + 3)),
                        C.fetch(after: 4),
                    ]
                ),
                ChainStep(
                    t + 5,
                    .fetched(C.messages(5...5)),
                    [.append(C.record(5...5, lastCheckpoint: (4, t + 3)), expectedStoreSequence: 2)]
                ),
            ]
        ),
        ChainCase(
            name: "an idle chain with unsigned records gets a checkpoint-only record when the interval passes",
            steps: C.started + [
                ChainStep(t + 10, .fetched(C.messages(1...1)), [.append(C.record(1...1), expectedStoreSequence: 0)]),
                ChainStep(t + 11, .appended(storeSequence: 1), [C.fetch(after: 1)]),
                ChainStep(t + 20, .fetched([]), [], wake: t + 120),
                ChainStep(t + 120, .tick, [C.fetch(after: 1)]),
                ChainStep(t + 130, .fetched([]), [], wake: t + 230),
                ChainStep(t + 59_999, .tick, [C.fetch(after: 1)]),
                ChainStep(t + 59_999, .fetched([]), [], wake: t + 60_000),
                ChainStep(
                    t + 60_000,
                    .tick,
                    [.append(C.checkpointOnly(after: 1, at: t + 60_000), expectedStoreSequence: 1)]
                ),
                ChainStep(
                    t + 60_001,
                    .appended(storeSequence: 2),
                    [
                        .announce(ChainCheckpoint(sequence: 1, hash: C.hash(1), signedMilliseconds: t + 60_000)),
                        C.fetch(after: 1),
                    ]
                ),
                // Nothing unsigned is left: an idle chain only polls.
                ChainStep(t + 60_002, .fetched([]), [], wake: t + 60_102),
            ]
        ),
        ChainCase(
            name: "an announcement alone after a checkpoint asks for no checkpoint of its own",
            steps: C.started + [
                ChainStep(
                    t + 60_000,
                    .fetched(C.messages(1...1)),
                    [.append(C.record(1...1, checkpointAt: t + 60_000), expectedStoreSequence: 0)]
                ),
                ChainStep(
                    t + 60_001,
                    .appended(storeSequence: 1),
                    [
                        .announce(ChainCheckpoint(sequence: 1, hash: C.hash(1), signedMilliseconds: t + 60_000)),
                        C.fetch(after: 1),
                    ]
                ),
                ChainStep(
                    t + 130_000,
                    .fetched([C.message(2, announcement: true)]),
                    [.append(C.record(2...2, lastCheckpoint: (1, t + 60_000)), expectedStoreSequence: 1)]
                ),
                ChainStep(t + 130_001, .appended(storeSequence: 2), [C.fetch(after: 2)]),
                ChainStep(t + 130_002, .fetched([]), [], wake: t + 130_102),
                ChainStep(t + 130_102, .tick, [C.fetch(after: 2)]),
                ChainStep(
                    t + 130_103,
                    .fetched(C.messages(3...3)),
                    [.append(C.record(3...3, checkpointAt: t + 130_103), expectedStoreSequence: 2)]
                ),
            ]
        ),
        ChainCase(
            name: "shutdown finishes the fetch in flight with a final checkpoint, then stops",
            steps: C.started + [
                ChainStep(t + 1, .fetched(C.messages(1...3)), [.append(C.record(1...3), expectedStoreSequence: 0)]),
                ChainStep(t + 2, .appended(storeSequence: 1), [C.fetch(after: 3)]),
                ChainStep(t + 3, .shutdown, []),
                ChainStep(
                    t + 4,
                    .fetched(C.messages(4...5)),
                    [.append(C.checkpointOnly(after: 3, at: t + 4), expectedStoreSequence: 1)]
                ),
                ChainStep(
                    t + 5,
                    .appended(storeSequence: 2),
                    [.announce(ChainCheckpoint(sequence: 3, hash: C.hash(3), signedMilliseconds: t + 4)), .stopped]
                ),
                ChainStep(t + 6, .leading, []),
            ]
        ),
        ChainCase(
            name: "shutdown with every record signed stops at once",
            steps: C.started + [
                ChainStep(t + 1, .fetched([]), []),
                ChainStep(t + 2, .shutdown, [.stopped]),
            ]
        ),
        ChainCase(
            name: "a step-down drops the write in flight; leading again reads the head first",
            steps: C.started + [
                ChainStep(t + 1, .fetched(C.messages(1...3)), [.append(C.record(1...3), expectedStoreSequence: 0)]),
                ChainStep(t + 2, .notLeading, []),
                ChainStep(t + 3, .appended(storeSequence: 1), []),
                ChainStep(t + 4, .leading, [.readHead]),
                ChainStep(t + 5, .headRead(ChainHead(record: C.record(1...3), storeSequence: 1)), [C.fetch(after: 3)]),
            ]
        ),
    ]

    @Test("chainer transitions", arguments: cases)
    func transitions(_ table: ChainCase) {
        var chainer = ClusterChainer(configuration: table.configuration)
        for (index, step) in table.steps.enumerated() {
            let decisions = chainer.handle(step.input, now: step.now)
            #expect(decisions == step.expected, "step \(index): \(step.input)")
            if let wake = step.wake {
                #expect(chainer.nextWake(now: step.now) == wake, "wake after step \(index)")
            }
        }
    }

    @Test("a record verifies against the stream's digests, and not against changed ones")
    func recordVerification() {
        let record = Chain.record(4...6)
        #expect(record.verifies(digests: (4...6).map { Chain.digest($0) }))
        #expect(!record.verifies(digests: (4...5).map { Chain.digest($0) }))
        #expect(!record.verifies(digests: [Chain.digest(4), Chain.digest(6), Chain.digest(5)]))
        #expect(record.messageID == "6")
        #expect(Chain.checkpointOnly(after: 6, at: 1).messageID == "6-checkpoint")
        #expect(record.lastSequence == 6 && record.lastHash == Chain.hash(6))
    }
}
