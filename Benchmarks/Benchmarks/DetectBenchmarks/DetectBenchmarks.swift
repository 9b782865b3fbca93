// SPDX-License-Identifier: Apache-2.0

import Benchmark
import BenchmarkFixtures
import Foundation
import TocsinDetect

/// Correlation state updates on one core: `DetectionEngine.observe` with observations as the router would
/// hand them over (group values already extracted), and the state of 1,000,000 distinct group keys.
///
/// The group-by values come from a pool of prebuilt arrays (10,000 addresses), so the update benchmarks
/// measure the engine, not the caller's extraction; "with a new group array per update" adds the one
/// allocation a caller makes when it builds `[value]` for each event.
let addresses: [[String]] = (0..<10_000).map { ["10.\($0 >> 8 & 255).\($0 & 255).\($0 % 7)"] }
let users: [String] = (0..<50).map { "user-\($0)@example.com" }

/// Resident memory in bytes (Linux `/proc/self/statm`).
func residentBytes() -> Int {
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else {
        return 0
    }
    let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

func makeEngine(_ rule: DetectionRule) -> (DetectionEngine, RuleHandle) {
    guard let engine = try? DetectionEngine(rules: [rule]), let handle = engine.handle(for: rule.id) else {
        fatalError("the benchmark rule is valid")
    }
    return (engine, handle)
}

/// Feeds `count` observations of distinct groups, ten per millisecond (all inside one window); returns the
/// engine.
func fillGroups(_ count: Int, rule: DetectionRule) -> DetectionEngine {
    var (engine, handle) = makeEngine(rule)
    for index in 0..<count {
        let group = ["\(index >> 16).\(index >> 8 & 255).\(index & 255).1"]
        blackHole(
            engine.observe(
                Observation(rule: handle, sequence: Int64(index), eventTime: Int64(index / 10), group: group)
            )
        )
    }
    return engine
}

/// Memory of `count` distinct groups: resident bytes before and after (the keys are built per observation,
/// as a caller does, so they count), divided by the groups held.
func reportGroupMemory(count: Int, maximumGroups: Int) {
    let rule = DetectionRule(
        id: "memory",
        kind: .eventCount(window: 60_000, condition: .gte(5)),
        maximumGroups: maximumGroups
    )
    let before = residentBytes()
    let started = ContinuousClock.now
    let engine = fillGroups(count, rule: rule)
    let elapsed = ContinuousClock.now - started
    let after = residentBytes()
    guard let handle = engine.handle(for: "memory") else {
        return
    }
    let statistics = engine.statistics(for: handle)
    print(
        "\(count) distinct keys, maximumGroups \(maximumGroups): \(statistics.groups) groups held, "
            + "\(statistics.evicted) evicted, \(statistics.expired) expired, resident +\((after - before) >> 20) MiB, "
            + "about \((after - before) / max(1, statistics.groups)) bytes per group (gte 5), in \(elapsed)"
    )
    blackHole(engine)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .instructions],
        timeUnits: .nanoseconds,
        maxDuration: .seconds(4)
    )
    BenchmarkFixtures.useCheckedThresholds()

    Benchmark("eventCount gte 5 in 60 s, 10,000 groups: updates", configuration: .init(scalingFactor: .mega)) {
        benchmark in
        var (engine, handle) = makeEngine(
            DetectionRule(id: "burst", kind: .eventCount(window: 60_000, condition: .gte(5)), allowedLateness: 5000)
        )
        var time: Int64 = 1_800_000_000_000
        var sequence: Int64 = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            sequence += 1
            time += 3
            let group = addresses[Int(sequence % 10_000)]
            blackHole(engine.observe(Observation(rule: handle, sequence: sequence, eventTime: time, group: group)))
        }
        benchmark.stopMeasurement()
    }

    Benchmark(
        "eventCount gte 5 in 60 s, 10,000 groups: updates with a new group array per update",
        configuration: .init(scalingFactor: .mega)
    ) { benchmark in
        var (engine, handle) = makeEngine(
            DetectionRule(id: "burst", kind: .eventCount(window: 60_000, condition: .gte(5)), allowedLateness: 5000)
        )
        var time: Int64 = 1_800_000_000_000
        var sequence: Int64 = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            sequence += 1
            time += 3
            let group = [addresses[Int(sequence % 10_000)][0]]
            blackHole(engine.observe(Observation(rule: handle, sequence: sequence, eventTime: time, group: group)))
        }
        benchmark.stopMeasurement()
    }

    Benchmark("valueCount gte 10 in 60 s, 10,000 groups: updates", configuration: .init(scalingFactor: .mega)) {
        benchmark in
        var (engine, handle) = makeEngine(
            DetectionRule(id: "spray", kind: .valueCount(window: 60_000, condition: .gte(10)), allowedLateness: 5000)
        )
        var time: Int64 = 1_800_000_000_000
        var sequence: Int64 = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            sequence += 1
            time += 3
            let observation = Observation(
                rule: handle,
                sequence: sequence,
                eventTime: time,
                group: addresses[Int(sequence % 10_000)],
                value: users[Int(sequence % 47)]
            )
            blackHole(engine.observe(observation))
        }
        benchmark.stopMeasurement()
    }

    Benchmark("temporal 3 rules in 60 s, 10,000 groups: updates", configuration: .init(scalingFactor: .mega)) {
        benchmark in
        var (engine, handle) = makeEngine(
            DetectionRule(
                id: "chain",
                kind: .temporal(window: 60_000, rules: ["a", "b", "c"], condition: nil),
                allowedLateness: 5000
            )
        )
        var time: Int64 = 1_800_000_000_000
        var sequence: Int64 = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            sequence += 1
            time += 3
            let observation = Observation(
                rule: handle,
                referencedRule: Int(sequence % 3),
                sequence: sequence,
                eventTime: time,
                group: addresses[Int(sequence % 10_000)]
            )
            blackHole(engine.observe(observation))
        }
        benchmark.stopMeasurement()
    }

    // Each benchmark runs in a process of its own, so each memory figure starts from a fresh heap.
    for maximumGroups in [1_000_000, 100_000] {
        Benchmark(
            "1,000,000 distinct group keys, maximumGroups \(maximumGroups)",
            configuration: .init(metrics: [.wallClock, .peakMemoryResidentDelta, .mallocCountTotal], maxIterations: 1)
        ) { benchmark in
            for _ in benchmark.scaledIterations {
                reportGroupMemory(count: 1_000_000, maximumGroups: maximumGroups)
            }
        }
    }
}
