// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCluster
import TocsinCore

/// A transition table for a chainer that holds the node's witnessed checkpoints.
struct WitnessCase: Sendable, CustomTestStringConvertible {
    var name: String
    var witnessed: [WitnessedCheckpoint]
    var steps: [ChainStep]
    var testDescription: String { name }
}

/// The takeover check against the node's own witness file (docs/scale-out.md, "The hash chain").
struct ClusterChainerWitnessTests {
    typealias C = Chain
    static let t = Chain.t

    /// The witness lines of checkpoints at `sequences`, numbered from 1, with the true chain hashes.
    static func witness(_ sequences: Int64...) -> [WitnessedCheckpoint] {
        sequences.enumerated().map {
            WitnessedCheckpoint(line: $0.offset + 1, sequence: $0.element, hash: C.hash($0.element))
        }
    }

    /// The chain store's hashes at `sequences`, as a correct store holds them.
    static func hashes(_ sequences: Int64...) -> [Int64: [UInt8]] {
        Dictionary(uniqueKeysWithValues: sequences.map { ($0, C.hash($0)) })
    }

    static let head6 = ChainHead(record: C.record(4...6), storeSequence: 3)

    static let cases: [WitnessCase] = [
        WitnessCase(
            name: "a store that holds every witnessed checkpoint with its hash: the holder chains on after the head",
            witnessed: witness(3, 6),
            steps: [
                ChainStep(t, .leading, [.readHead]),
                ChainStep(t, .headRead(head6), [.readChainHashes([3, 6])], wake: .some(nil)),
                ChainStep(t + 1, .chainHashesRead(hashes(3, 6)), [C.fetch(after: 6)]),
                ChainStep(t + 2, .fetched(C.messages(7...7)), [.append(C.record(7...7), expectedStoreSequence: 3)]),
            ]
        ),
        WitnessCase(
            name: "the newest witnessed checkpoint past the store's end is a rollback: halt before chaining",
            witnessed: witness(3, 6, 9),
            steps: [
                ChainStep(t, .leading, [.readHead]),
                ChainStep(t, .headRead(head6), [.halt(.witnessAhead(line: 3, sequence: 9, storeEnd: 6))]),
                ChainStep(t + 1, .fetched(C.messages(7...9)), []),
                ChainStep(t + 2, .tick, [], wake: .some(nil)),
            ]
        ),
        WitnessCase(
            name: "an emptied (purged) store with a witness is a rollback to 0",
            witnessed: witness(2),
            steps: [
                ChainStep(t, .leading, [.readHead]),
                ChainStep(t, .headRead(nil), [.halt(.witnessAhead(line: 1, sequence: 2, storeEnd: 0))]),
            ]
        ),
        WitnessCase(
            name: "a witnessed checkpoint the store holds with another hash is a rewrite: halt at its line",
            witnessed: witness(3, 6),
            steps: [
                ChainStep(t, .leading, [.readHead]),
                ChainStep(t, .headRead(head6), [.readChainHashes([3, 6])]),
                ChainStep(
                    t + 1,
                    .chainHashesRead([3: C.hash(3), 6: C.hash(5)]),
                    [.halt(.witnessMismatch(line: 2, sequence: 6))]
                ),
            ]
        ),
        WitnessCase(
            name: "a witnessed checkpoint the store does not hold is a rewrite too",
            witnessed: witness(3, 6),
            steps: [
                ChainStep(t, .leading, [.readHead]),
                ChainStep(t, .headRead(head6), [.readChainHashes([3, 6])]),
                ChainStep(t + 1, .chainHashesRead(hashes(6)), [.halt(.witnessMismatch(line: 1, sequence: 3))]),
            ]
        ),
        WitnessCase(
            name: "a failed read of the hashes reads the head again and checks again",
            witnessed: witness(6),
            steps: [
                ChainStep(t, .leading, [.readHead]),
                ChainStep(t, .headRead(head6), [.readChainHashes([6])]),
                ChainStep(t + 1, .failed, [], wake: .some(t + 251)),
                ChainStep(t + 251, .tick, [.readHead]),
                ChainStep(t + 252, .headRead(head6), [.readChainHashes([6])]),
                ChainStep(t + 253, .chainHashesRead(hashes(6)), [C.fetch(after: 6)]),
            ]
        ),
        WitnessCase(
            name: "the check runs once: leading again after a step-down goes straight to the head",
            witnessed: witness(6),
            steps: [
                ChainStep(t, .leading, [.readHead]),
                ChainStep(t, .headRead(head6), [.readChainHashes([6])]),
                ChainStep(t + 1, .chainHashesRead(hashes(6)), [C.fetch(after: 6)]),
                ChainStep(t + 2, .notLeading, []),
                ChainStep(t + 3, .leading, [.readHead]),
                ChainStep(t + 4, .headRead(head6), [C.fetch(after: 6)]),
            ]
        ),
        WitnessCase(
            name: "a shutdown during the check stops without chaining; a late answer is ignored",
            witnessed: witness(6),
            steps: [
                ChainStep(t, .leading, [.readHead]),
                ChainStep(t, .headRead(head6), [.readChainHashes([6])]),
                ChainStep(t + 1, .shutdown, [.stopped]),
                ChainStep(t + 2, .chainHashesRead(hashes(6)), []),
            ]
        ),
    ]

    @Test("takeover check transitions", arguments: cases)
    func transitions(_ table: WitnessCase) {
        var chainer = ClusterChainer(witnessed: table.witnessed)
        for (index, step) in table.steps.enumerated() {
            let decisions = chainer.handle(step.input, now: step.now)
            #expect(decisions == step.expected, "step \(index): \(step.input)")
            if let wake = step.wake {
                #expect(chainer.nextWake(now: step.now) == wake, "wake after step \(index)")
            }
        }
    }
}
