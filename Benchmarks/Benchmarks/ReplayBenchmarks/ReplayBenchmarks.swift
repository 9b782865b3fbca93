// SPDX-License-Identifier: Apache-2.0

import Benchmark
import BenchmarkFixtures
import Foundation
import Logging
import TocsinActions
import TocsinConfig
import TocsinCore
import TocsinRuntime
import TocsinStore

/// Replay into a shadow report (docs/replay.md): 100 generated EventBridge pattern rules, each with
/// one target, and 10,000 logged CloudTrail events (the 744 records of the pattern corpus, cycled).
///
/// The rules are the first 100 of `pattern-rules/rules-10000-seed7.jsonl` (bench/gen_rules.py),
/// applied to the CloudEvent's `data`, where Tocsin keeps a CloudTrail record. One iteration
/// replays all 10,000 events through a fresh engine; events/s = 10,000 / the iteration's time.
/// The second benchmark reads the same events back from a real log first, page by page as
/// `ReplayRunner` does, so its figure is what `POST /v1/replays` sees (less the progress writes).
let eventCount = 10_000

let records: [[UInt8]] = BenchmarkFixtures.lines("Benchmarks/Fixtures/cloudtrail-sigma/aws_cloudtrail.jsonl")

let logged: [LoggedEvent] = (0..<eventCount).map { index in
    LoggedEvent(
        sequence: Int64(index + 1),
        event: CloudEvent(
            id: "ct-\(index)",
            source: "/aws/cloudtrail",
            type: "aws.cloudtrail",
            time: Timestamp(epochMilliseconds: 1_795_000_000_000 + Int64(index)),
            data: .json(records[index % records.count])
        ),
        ingestMilliseconds: 1_795_000_000_000 + Int64(index),
        hash: []
    )
}

func table(rules count: Int) -> RoutingTable {
    let lines = BenchmarkFixtures.lines("Benchmarks/Fixtures/pattern-rules/rules-10000-seed7.jsonl").prefix(count)
    var rules: [RuleDefinition] = []
    for line in lines {
        guard let source = try? JSONParser().parse(line), let name = source["name"]?.stringValue,
            let pattern = source["pattern"]
        else {
            fatalError("benchmark rules are valid JSON lines")
        }
        let json = JSONValue.object(
            JSONObject([
                .init(name: "pattern", value: .object(JSONObject([.init(name: "data", value: pattern)]))),
                .init(
                    name: "targets",
                    value: .array([.object(JSONObject([.init(name: "target", value: .string("sink"))]))])
                ),
            ])
        )
        guard let rule = try? RuleDefinition(name: name, json: json) else {
            fatalError("benchmark rule \(name) is valid")
        }
        rules.append(rule)
    }
    let sink = JSONValue.object(
        JSONObject([
            .init(name: "kind", value: .string("webhook")),
            .init(name: "url", value: .string("http://127.0.0.1:9/sink")),
        ])
    )
    guard let target = try? TargetDefinition(name: "sink", json: sink, kinds: ActionRegistry.targetKinds),
        let table = try? RoutingTable(rules: rules, targets: [target])
    else {
        fatalError("benchmark routing table is valid")
    }
    return table
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .instructions],
        timeUnits: .milliseconds,
        maxDuration: .seconds(10)
    )
    let hundred = table(rules: 100)
    var check = try? ReplayEngine(table: hundred, selection: ReplaySelection())
    for event in logged {
        check?.process(event)
    }
    if let report = check?.report {
        print(
            "Replay corpus: \(eventCount) events, 100 rules; one run matched \(report.rules.values.reduce(0) { $0 + $1.matched }) times"
        )
    }

    Benchmark("replay 10,000 CloudTrail events through 100 pattern rules into a shadow report") { benchmark in
        for _ in benchmark.scaledIterations {
            guard var engine = try? ReplayEngine(table: hundred, selection: ReplaySelection()) else {
                fatalError("the engine accepts the rules")
            }
            benchmark.startMeasurement()
            for event in logged {
                engine.process(event)
            }
            blackHole(engine.report)
            benchmark.stopMeasurement()
        }
    }

    Benchmark(
        "read 10,000 CloudTrail events from the log in pages of 1,024 and replay them through 100 pattern rules",
        configuration: .init(scalingFactor: .one, maxDuration: .seconds(20), maxIterations: 10)
    ) { benchmark in
        let directory = NSTemporaryDirectory() + "tocsin-replay-bench-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = StoreConfiguration(dataDirectory: directory)
        configuration.synchronous = .normal
        let store = try EventStore.open(configuration, logger: Logger(label: "bench"), clock: SystemWallClock())
        let services = store.services
        let running = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for service in services {
                    group.addTask { try await service.run() }
                }
                try await group.next()
                group.cancelAll()
            }
        }
        for start in stride(from: 0, to: logged.count, by: 1_000) {
            _ = try await store.append(logged[start..<min(start + 1_000, logged.count)].map(\.event))
        }
        var engine = try ReplayEngine(table: hundred, selection: ReplaySelection())
        benchmark.startMeasurement()
        var after: Int64 = 0
        while true {
            let page = try await store.query(EventQuery(after: after, limit: 1_024))
            for event in page.events {
                engine.process(event)
            }
            guard let last = page.events.last?.sequence else {
                break
            }
            after = last
        }
        blackHole(engine.report)
        benchmark.stopMeasurement()
        // The log also holds the store's own records (a signed checkpoint every 10,000 events).
        guard engine.report.events >= eventCount else {
            fatalError("the log held \(engine.report.events) events, fewer than \(eventCount)")
        }
        store.close()
        _ = await running.result
    }
}
