// SPDX-License-Identifier: Apache-2.0

import Benchmark
import Foundation
import Logging
import TocsinCore
import TocsinResponse
import TocsinStore

/// The incident projection: folding alerts into the alert and incident tables (a full rebuild from
/// the log), and the pure parts of the fold on their own.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        timeUnits: .milliseconds,
        maxDuration: .seconds(10),
        maxIterations: 20
    )

    func alert(_ index: Int, groups: Int) -> Alert {
        Alert(
            rule: "ssh-bruteforce",
            title: "SSH brute force",
            level: .high,
            tags: ["attack.credential-access", "attack.t1110.001"],
            author: "Security team",
            kind: .threshold,
            evidence: (1...5).map { Int64(index * 5 + $0) },
            group: [
                .init(field: "$.ocsf.src_endpoint.ip", value: .string("10.0.\(index % groups / 256).\(index % 256)"))
            ],
            count: 5,
            firstEventMilliseconds: 1_800_000_000_000 + Int64(index) * 1000,
            lastEventMilliseconds: 1_800_000_000_000 + Int64(index) * 1000 + 500,
            identity: "ssh-bruteforce/\(index)"
        )
    }

    for groups in [10, 10_000] {
        Benchmark(
            "rebuild: fold 10k alerts into \(groups) incidents",
            configuration: .init(scalingFactor: .one)
        ) { benchmark in
            let directory = NSTemporaryDirectory() + "tocsin-bench-\(UUID().uuidString)"
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
            for start in stride(from: 0, to: 10_000, by: 500) {
                _ = try await store.append(
                    (start..<start + 500).map { alert($0, groups: groups).event(identifiers: store.identifiers) }
                )
            }
            benchmark.startMeasurement()
            let progress = try await store.incidents.rebuild()
            benchmark.stopMeasurement()
            precondition(progress.alerts == 10_000, "every alert folded")
            store.close()
            _ = await running.result
        }
    }

    let identifiers = BenchmarkIdentifiers()
    let events = (0..<1000).map { alert($0, groups: 100).event(identifiers: identifiers) }
    Benchmark("read 1000 alerts back from their events", configuration: .init(scalingFactor: .kilo)) { benchmark in
        for _ in benchmark.scaledIterations {
            for event in events {
                blackHole(try Alert(event: event))
            }
        }
    }

    let alerts = (0..<1000).map { alert($0, groups: 1) }
    Benchmark("decide 1000 alerts of one open incident", configuration: .init(scalingFactor: .kilo)) { benchmark in
        for _ in benchmark.scaledIterations {
            var incident: Incident?
            for (index, alert) in alerts.enumerated() {
                switch Incident.receive(alert, sequence: Int64(index + 1), active: incident, nextID: 1) {
                case .open(let opened), .update(let opened): incident = opened
                case .recordOnly: break
                }
            }
            blackHole(incident)
        }
    }
}

/// A fixed derivation: these benchmarks measure reading and deciding, not the HMAC.
struct BenchmarkIdentifiers: EventIdentifierDeriving {
    func derived(_ kind: String, _ parts: [String]) -> String {
        kind + "-" + parts.joined(separator: "/")
    }
}
