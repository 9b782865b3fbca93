// SPDX-License-Identifier: Apache-2.0

import Benchmark
import Foundation
import Logging
import TocsinCore
import TocsinStore

/// Durable appends through the group-commit writer: many producers, one event each per call,
/// `synchronous=FULL`, ~1 KB events — the shape of concurrent single-event HTTP ingestion.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        timeUnits: .milliseconds,
        maxDuration: .seconds(10),
        maxIterations: 20
    )
    let payload = #"{"user":"root","ip":"203.0.113.9","note":""# + String(repeating: "x", count: 900) + #""}"#

    for (producers, perCall) in [(1, 1), (64, 1), (256, 1), (16, 100)] {
        let name = "append 10k x 1 KB events, FULL, \(producers) producers x \(perCall) per call"
        Benchmark(name, configuration: .init(scalingFactor: .one)) { benchmark in
            let directory = NSTemporaryDirectory() + "tocsin-bench-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let store = try EventStore.open(
                StoreConfiguration(dataDirectory: directory),
                logger: Logger(label: "bench"),
                clock: SystemWallClock()
            )
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
            let run = UUID().uuidString
            benchmark.startMeasurement()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for producer in 0..<producers {
                    group.addTask {
                        for call in stride(from: producer, to: 10_000 / perCall, by: producers) {
                            let events = (0..<perCall).map { offset in
                                CloudEvent(
                                    id: "\(run)-\(call * perCall + offset)",
                                    source: "/bench",
                                    type: "ssh.login.failed",
                                    dataContentType: "application/json",
                                    data: .json(Array(payload.utf8))
                                )
                            }
                            _ = try await store.append(events)
                        }
                    }
                }
                try await group.waitForAll()
            }
            benchmark.stopMeasurement()
            store.close()
            _ = await running.result
        }
    }
}
