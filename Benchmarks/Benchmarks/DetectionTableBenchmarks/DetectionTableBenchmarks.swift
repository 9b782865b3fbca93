// SPDX-License-Identifier: Apache-2.0

import Benchmark
import TocsinCluster
import TocsinConfig
import TocsinCore

/// Detection as the server runs it, per event: `DetectionTable.evaluate` (patterns, Sigma, value
/// extraction) then `DetectionEngines.observe`, for a pattern rule's `first_seen` and for a Sigma rule
/// feeding a correlation chained onto another correlation.
///
/// The same, through `DetectionPartitions`: one partition (a single node), and 8 of 16 partitions
/// (one node of two in a cluster, which evaluates every event and keeps the state of half the users).
///
/// Events come from a pool of 10,000 prebuilt documents (one per user), so the figures measure the
/// table and the engines, not JSON parsing.
func parse(_ text: String) -> JSONValue {
    guard let value = try? JSONParser().parse(text) else {
        fatalError("benchmark JSON is valid: \(text)")
    }
    return value
}

let logins: [JSONValue] = (0..<10_000).map { index in
    parse(
        #"{"type": "ssh.login.succeeded", "ocsf": {"user": {"name": "user-\#(index)"}, "#
            + #""src_endpoint": {"ip": "10.0.\#(index % 200).\#(index % 7)"}}}"#
    )
}

let failures: [JSONValue] = (0..<10_000).map { index in
    parse(
        #"{"source": "/aws/cloudtrail/eu-west-1", "type": "aws.cloudtrail.ConsoleLogin", "data": {"#
            + #""eventName": "ConsoleLogin", "errorMessage": "Failed authentication", "#
            + #""userIdentity": {"userName": "user-\#(index)"}}}"#
    )
}

let chain = """
    title: Console login failed
    id: failed-login
    logsource: {product: aws, service: cloudtrail}
    detection:
      selection: {eventName: ConsoleLogin, errorMessage: Failed authentication}
      condition: selection
    ---
    title: Three failures within a minute
    name: burst
    correlation: {type: event_count, rules: [failed-login], group-by: [userIdentity.userName], timespan: 1m, condition: {gte: 3}}
    ---
    title: Two bursts within ten minutes
    id: repeated-bursts
    correlation: {type: event_count, rules: [burst], group-by: [userIdentity.userName], timespan: 10m, condition: {gte: 2}}
    """

let rulesFile = """
    rules:
      new-address-for-user:
        pattern: {type: [ssh.login.succeeded]}
        first_seen: {key: [$.ocsf.user.name], value: $.ocsf.src_endpoint.ip, learning_seconds: 0}
        targets: []
    """

func engines(_ files: [(name: String, text: String)]) -> (DetectionTable, DetectionEngines) {
    let directory = ConfigDirectory(files: files, kinds: TargetKinds([]))
    let table = DetectionTable(rules: directory.rules, sigma: directory.sigma)
    guard directory.diagnostics.isEmpty, let engines = try? DetectionEngines(table: table) else {
        fatalError("benchmark rules are valid: \(directory.diagnostics)")
    }
    return (table, engines)
}

/// Evaluates the documents in turn, one per iteration, and hands each evaluation to `observe` with
/// its sequence number and time.
func measure(
    _ benchmark: Benchmark,
    _ documents: [JSONValue],
    table: DetectionTable,
    observe: (DetectionTable.Evaluation, Int64, Int64) -> [DetectionEngines.Raised]
) {
    let context = DetectionContext()
    var time: Int64 = 1_800_000_000_000
    var sequence: Int64 = 0
    benchmark.startMeasurement()
    for _ in benchmark.scaledIterations {
        sequence += 1
        time += 3
        let evaluation = table.evaluate(documents[Int(sequence % 10_000)], context: context)
        blackHole(observe(evaluation, sequence, time))
    }
    benchmark.stopMeasurement()
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .instructions],
        timeUnits: .nanoseconds,
        maxDuration: .seconds(4)
    )

    Benchmark(
        "first_seen pattern rule, 10,000 users: evaluate + observe per event",
        configuration: .init(scalingFactor: .kilo)
    ) { benchmark in
        var (table, running) = engines([(name: "rules.yaml", text: rulesFile)])
        measure(benchmark, logins, table: table) { running.observe($0, sequence: $1, time: $2) }
    }

    Benchmark(
        "Sigma rule -> event_count -> chained event_count, 10,000 users: evaluate + observe per event",
        configuration: .init(scalingFactor: .kilo)
    ) { benchmark in
        var (table, running) = engines([(name: "chain.yml", text: chain)])
        measure(benchmark, failures, table: table) { running.observe($0, sequence: $1, time: $2) }
    }

    for (label, owned) in [("1 partition (one node)", 0..<1), ("8 of 16 partitions (one node of two)", 0..<8)] {
        Benchmark(
            "first_seen pattern rule, 10,000 users, \(label): evaluate + observe per event",
            configuration: .init(scalingFactor: .kilo)
        ) { benchmark in
            let (table, _) = engines([(name: "rules.yaml", text: rulesFile)])
            let map = PartitionMap(count: owned.count == 1 ? 1 : 16)
            guard var running = try? DetectionPartitions(table: table, map: map, owning: owned) else {
                fatalError("benchmark rules are valid")
            }
            measure(benchmark, logins, table: table) { running.observe($0, sequence: $1, time: $2) }
        }
    }
}
