// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCluster

/// Three nodes with skewed clocks contend for one lease.
///
/// Their clocks differ by up to the configured skew; the simulated KV bucket (compare-and-set by
/// revision, a watch) delays its operations, loses answers and refuses writes at random; the
/// leader is cut off from the bucket for 15 s once, and killed twice. Each seed replays exactly.
struct LeaseSimulationTests {
    static let configuration = LeaseElection.Configuration()

    @Test("no two nodes ever believe they hold the lease at once, and a dead holder is replaced", arguments: 1...24)
    func holdersNeverOverlap(seed: Int) throws {
        var simulation = LeaseSimulation(seed: UInt64(seed), configuration: Self.configuration)
        simulation.run(until: 120_000, crashingLeaderAt: [30_000, 80_000], isolatingLeaderAt: 50_000)

        for (index, first) in simulation.intervals.enumerated() {
            for second in simulation.intervals[(index + 1)...] where first.node != second.node {
                #expect(
                    first.end <= second.start || second.end <= first.start,
                    "node \(first.node) held \(first.start)..<\(first.end), node \(second.node) \(second.start)..<\(second.end)"
                )
            }
        }
        #expect(simulation.crashes.count == 2, "a leader was running at each crash")
        let isolated = try #require(simulation.isolation, "a leader was running when the bucket was cut off")
        #expect(
            simulation.intervals.contains {
                $0.node != isolated.node && $0.start > isolated.from && $0.start < isolated.until
            },
            "another node led while the old leader was cut off"
        )
        #expect(Set(simulation.intervals.map(\.node)).count == 3, "the lease moved to every node in turn")
        let bound = Self.configuration.ttlMilliseconds + Self.configuration.maxClockSkewMilliseconds + 3000
        for crash in simulation.crashes {
            let next = simulation.intervals.filter { $0.node != crash.node && $0.start > crash.time }.map(\.start).min()
            #expect(
                next.map { $0 - crash.time <= bound } == true,
                "taken over \(next.map { $0 - crash.time } ?? -1) ms after the crash"
            )
        }
    }
}

/// The simulated cluster: true time in milliseconds, one clock offset per node.
struct LeaseSimulation {
    /// The longest a KV operation, its answer or a watch update takes.
    static let maxDelay: Int64 = 100

    enum Event {
        case tick
        case input(LeaseElection.Input)
        case apply(LeaseElection.Decision)
    }

    struct Scheduled {
        var time: Int64
        var order: Int
        var node: Int
        var event: Event
    }

    struct Interval {
        var node: Int
        var start: Int64
        var end: Int64
    }

    var random: SplitMix
    var elections: [LeaseElection]
    var offsets: [Int64]
    var crashed: [Bool]
    var queue: [Scheduled] = []
    var order = 0
    var entry: LeaseEntry?
    var revision: UInt64 = 0
    var beliefStart: [Int64?]
    /// When each believing node stops, in true time and on its own clock.
    var beliefEnd: [Int64]
    var beliefUntil: [Int64] = [0, 0, 0]
    let skew: Int64
    var intervals: [Interval] = []
    var crashes: [(node: Int, time: Int64)] = []
    /// The leader cut off from the bucket: its operations fail and it receives no watch updates.
    var isolation: (node: Int, from: Int64, until: Int64)?

    init(seed: UInt64, configuration: LeaseElection.Configuration) {
        random = SplitMix(seed: seed)
        skew = configuration.maxClockSkewMilliseconds
        var names = SplitMix(seed: seed ^ 0xA5A5)
        elections = (0..<3).map {
            LeaseElection(
                candidate: LeaseElection.candidateIdentity(node: "node-\($0)", using: &names),
                configuration: configuration
            )
        }
        offsets = []
        crashed = [false, false, false]
        beliefStart = [nil, nil, nil]
        beliefEnd = [0, 0, 0]
        offsets = (0..<3).map { _ in random.pick(0...configuration.maxClockSkewMilliseconds) }
        for node in 0..<3 {
            schedule(random.pick(0...500), node: node, .tick)
        }
    }

    mutating func run(until end: Int64, crashingLeaderAt crashTimes: [Int64], isolatingLeaderAt isolateAt: Int64) {
        var pendingCrashes = crashTimes
        var pendingIsolation: Int64? = isolateAt
        while let next = popNext(), next.time < end {
            if let from = pendingIsolation, from <= next.time {
                pendingIsolation = nil
                expireBeliefs(at: from)
                if let leader = (0..<3).first(where: { beliefStart[$0] != nil }) {
                    isolation = (leader, from, from + 15_000)
                }
                // The clocks step (still within the skew), so the node whose clock runs ahead,
                // which is the one that took the lease last, need not stay ahead.
                offsets = (0..<3).map { _ in random.pick(0...skew) }
                for node in 0..<3 where beliefStart[node] != nil {
                    beliefEnd[node] = beliefUntil[node] - offsets[node]
                }
            }
            if let crash = pendingCrashes.first, crash <= next.time {
                pendingCrashes.removeFirst()
                expireBeliefs(at: crash)
                if let leader = (0..<3).first(where: { beliefStart[$0] != nil }) {
                    finishBelief(leader, at: crash)
                    crashed[leader] = true
                    crashes.append((leader, crash))
                }
            }
            expireBeliefs(at: next.time)
            guard !crashed[next.node] else {
                continue
            }
            process(next)
        }
        expireBeliefs(at: end)
        for node in 0..<3 where beliefStart[node] != nil {
            finishBelief(node, at: end)
        }
    }

    private mutating func process(_ scheduled: Scheduled) {
        let node = scheduled.node
        let time = scheduled.time
        let local = time + offsets[node]
        switch scheduled.event {
        case .tick:
            carryOut(elections[node].handle(.tick, now: local), node: node, at: time)
            let wake = elections[node].nextWake(now: local).map { max($0 - local, 1) } ?? 500
            schedule(time + min(wake, random.pick(50...500)), node: node, .tick)
        case .input(let input):
            carryOut(elections[node].handle(input, now: local), node: node, at: time)
        case .apply(let operation):
            if let isolation, isolation.node == node, (isolation.from..<isolation.until).contains(time) {
                let failure: LeaseElection.Input = operation == .read ? .readFailed : .written(.failed)
                schedule(time + random.pick(0...Self.maxDelay), node: node, .input(failure))
            } else {
                apply(operation, node: node, at: time)
            }
        }
    }

    private mutating func carryOut(_ decisions: [LeaseElection.Decision], node: Int, at time: Int64) {
        for decision in decisions {
            switch decision {
            case .read, .acquire, .renew, .takeOver, .release:
                schedule(time + random.pick(0...Self.maxDelay), node: node, .apply(decision))
            case .lead(let until):
                if beliefStart[node] == nil {
                    beliefStart[node] = time
                }
                beliefUntil[node] = until
                beliefEnd[node] = until - offsets[node]
            case .stepDown:
                finishBelief(node, at: time)
            case .standBy:
                break
            }
        }
    }

    /// One KV operation at true time `time`, answered later; 5% are refused before they are
    /// stored and 10% of the rest lose their answer.
    private mutating func apply(_ operation: LeaseElection.Decision, node: Int, at time: Int64) {
        let answerAt = time + random.pick(0...Self.maxDelay)
        if case .read = operation {
            schedule(answerAt, node: node, .input(random.chance(5) ? .readFailed : .observed(entry)))
            return
        }
        guard !random.chance(5) else {
            schedule(answerAt, node: node, .input(.written(.failed)))
            return
        }
        let stored: LeaseRecord?
        switch operation {
        case .acquire(let record):
            stored = entry == nil ? record : nil
        case .renew(let record, let expected), .takeOver(let record, let expected), .release(let record, let expected):
            stored = entry?.revision == expected ? record : nil
        case .read, .lead, .stepDown, .standBy:
            stored = nil
        }
        guard let stored else {
            schedule(answerAt, node: node, .input(.written(.conflict)))
            return
        }
        revision += 1
        let written = LeaseEntry(record: stored, revision: revision)
        entry = written
        let answer: LeaseWriteOutcome = random.chance(10) ? .failed : .succeeded(revision: revision)
        schedule(answerAt, node: node, .input(.written(answer)))
        for watcher in 0..<3 where !isCutOff(watcher, at: time) {
            schedule(time + random.pick(0...Self.maxDelay), node: watcher, .input(.observed(written)))
        }
    }

    private func isCutOff(_ node: Int, at time: Int64) -> Bool {
        guard let isolation else {
            return false
        }
        return isolation.node == node && (isolation.from..<isolation.until).contains(time)
    }

    /// Ends every belief whose `lead` deadline passed by `time`, even without a tick: the driver
    /// stops the leader's work at that deadline.
    private mutating func expireBeliefs(at time: Int64) {
        for node in 0..<3 where beliefStart[node] != nil && beliefEnd[node] <= time {
            finishBelief(node, at: beliefEnd[node])
        }
    }

    private mutating func finishBelief(_ node: Int, at time: Int64) {
        guard let start = beliefStart[node] else {
            return
        }
        intervals.append(Interval(node: node, start: start, end: min(time, beliefEnd[node])))
        beliefStart[node] = nil
    }

    private mutating func schedule(_ time: Int64, node: Int, _ event: Event) {
        order += 1
        queue.append(Scheduled(time: time, order: order, node: node, event: event))
    }

    private mutating func popNext() -> Scheduled? {
        guard
            let index = queue.indices.min(by: {
                (queue[$0].time, queue[$0].order) < (queue[$1].time, queue[$1].order)
            })
        else {
            return nil
        }
        return queue.remove(at: index)
    }
}
