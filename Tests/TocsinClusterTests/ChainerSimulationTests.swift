// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCluster
import TocsinCore

/// Two chainers that both believe they lead race over one simulated chain store.
///
/// That is the worst a broken lease could do. The store checks the expected last sequence, the
/// stream grows and answers get lost; the store must still hold one unforked chain that skips no
/// sequence.
struct ChainerSimulationTests {
    @Test("two leaders at once never fork the chain or skip a sequence", arguments: 1...16)
    func concurrentLeadersNeverFork(seed: Int) throws {
        var random = SplitMix(seed: UInt64(seed))
        let configuration = ClusterChainer.Configuration(
            maxMessagesPerRecord: 5,
            checkpointEveryRecords: 7,
            checkpointIntervalMilliseconds: 400
        )
        var chainers = [ClusterChainer(configuration: configuration), ClusterChainer(configuration: configuration)]
        var inbox: [[ClusterChainer.Decision]] = [[], []]
        var streamLength: Int64 = 0
        var store: [ChainRecord] = []
        var stepDowns = 0
        var now: Int64 = 0
        for index in 0..<2 {
            inbox[index] += chainers[index].handle(.leading, now: now)
        }
        for _ in 0..<3000 {
            now += random.pick(1...20)
            if random.chance(30) {
                streamLength += random.pick(1...4)
            }
            let index = Int(random.pick(0...1))
            if inbox[index].isEmpty {
                if random.chance(3) {
                    inbox[index] += chainers[index].handle(.leading, now: now)
                } else {
                    inbox[index] += chainers[index].handle(.tick, now: now)
                }
                continue
            }
            let decision = inbox[index].removeFirst()
            let answer: ClusterChainer.Input?
            switch decision {
            case .readHead:
                answer =
                    random.chance(5)
                    ? .failed : .headRead(store.last.map { ChainHead(record: $0, storeSequence: UInt64(store.count)) })
            case .fetch(let after, let limit):
                let last = min(streamLength, after + Int64(random.pick(0...Int64(limit + 1))))
                answer = after < last ? .fetched(((after + 1)...last).map { Chain.message($0) }) : .fetched([])
            case .append(let record, let expected):
                if random.chance(5) {
                    answer = .failed
                } else if UInt64(store.count) == expected {
                    store.append(record)
                    answer = random.chance(10) ? .failed : .appended(storeSequence: UInt64(store.count))
                } else {
                    answer = .appendConflict
                }
            case .stepDown:
                stepDowns += 1
                answer = nil
            case .halt(let halt):
                Issue.record("halted: \(halt)")
                answer = nil
            case .readChainHashes:
                Issue.record("a chainer without a witness checked one")
                answer = nil
            case .announce, .stopped:
                answer = nil
            }
            if let answer {
                inbox[index] += chainers[index].handle(answer, now: now)
            }
        }

        var running = HashChain.genesis
        var next: Int64 = 1
        for record in store {
            #expect(record.firstSequence == next, "records follow each other without a gap or an overlap")
            #expect(record.previousHash == running, "each record continues the previous one's hash")
            let digests = record.hashes.indices.map { Chain.digest(record.firstSequence + Int64($0)) }
            #expect(record.verifies(digests: digests))
            if let checkpoint = record.checkpoint {
                #expect(checkpoint.sequence == record.lastSequence && checkpoint.hash == record.lastHash)
            }
            running = record.lastHash
            next = record.lastSequence + 1
        }
        #expect(running == Chain.hash(next - 1))
        #expect(next > 50, "the chain advanced (\(next - 1) records)")
        #expect(stepDowns > 0, "the race produced step-downs")
    }
}
