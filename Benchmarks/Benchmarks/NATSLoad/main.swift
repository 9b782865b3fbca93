// SPDX-License-Identifier: Apache-2.0

import CNatsRaw
import Foundation
import Synchronization
import TocsinCore
import TocsinNATS

// Throughput and failover figures on a running 3-node cluster (see scripts/bench-nats.sh):
//   raw       libnats js_PublishAsync of N messages (R3, Nats-Msg-Id set) until js_PublishAsyncComplete
//   tocsin    JetStreamEventLog.append of N events, 4 appenders with batches of 250 (R3)
//   failover  K times: kill -9 the stream leader while appending batches of 10; the pause is the time from
//             the kill to the first acknowledged append that started after it; the node is then restarted
// Usage: NATSLoad <cluster-dir> <base-port> <events> <kills>

let arguments = CommandLine.arguments
guard arguments.count == 5, let basePort = Int(arguments[2]), let total = Int(arguments[3]),
    let kills = Int(arguments[4])
else {
    report("usage: NATSLoad <cluster-dir> <base-port> <events> <kills>")
    exit(2)
}
let clusterDirectory = arguments[1]

/// Prints a line at once (stdout to a file is block-buffered, and a killed run would lose it).
func report(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
let urls = (0..<3).map { "nats://127.0.0.1:\(basePort + $0)" }
let rawErrors = Atomic<Int>(0)

func sampleEvent(_ index: Int) -> CloudEvent {
    CloudEvent(
        id: "event-\(index)",
        source: "bench/sensor",
        type: "auth.login.failed",
        subject: "alice",
        data: .json(Array(#"{"user":"alice","method":"password","region":"eu-west-1"}"#.utf8))
    )
}

/// Raw libnats: async publish of `count` messages of the size of a Tocsin record, each with a message id.
func rawPublish(count: Int) -> Double {
    let payload = JetStreamRecord.payload(entry: LogEntry(event: sampleEvent(0)), ingestMilliseconds: 0)
    var options: OpaquePointer?
    natsOptions_Create(&options)
    var servers: [UnsafePointer<CChar>?] = urls.map { UnsafePointer(strdup($0)) }
    natsOptions_SetServers(options, &servers, Int32(servers.count))
    var connection: OpaquePointer?
    guard natsConnection_Connect(&connection, options) == NATS_OK else {
        report("raw: cannot connect")
        exit(1)
    }
    var jsOptions = jsOptions()
    jsOptions_Init(&jsOptions)
    jsOptions.PublishAsync.MaxPending = 4096
    jsOptions.PublishAsync.ErrHandler = { _, _, _ in rawErrors.add(1, ordering: .relaxed) }
    var jetStream: OpaquePointer?
    natsConnection_JetStream(&jetStream, connection, &jsOptions)
    let start = ContinuousClock.now
    var publishOptions = jsPubOptions()
    jsPubOptions_Init(&publishOptions)
    for index in 0..<count {
        "raw-\(index)".withCString { id in
            publishOptions.MsgId = id
            payload.withUnsafeBytes { bytes in
                _ = js_PublishAsync(jetStream, "bench.raw", bytes.baseAddress, Int32(bytes.count), &publishOptions)
            }
        }
    }
    var complete = jsPubOptions()
    jsPubOptions_Init(&complete)
    complete.MaxWait = 60_000
    js_PublishAsyncComplete(jetStream, &complete)
    let elapsed = start.duration(to: .now)
    jsCtx_Destroy(jetStream)
    natsConnection_Destroy(connection)
    natsOptions_Destroy(options)
    return Double(count) / seconds(elapsed)
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func tocsinAppend(log: JetStreamEventLog, count: Int) async throws -> Double {
    let appenders = 4
    let batch = 250
    let start = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for appender in 0..<appenders {
            group.addTask {
                var next = appender * batch
                while next < count {
                    let events = (next..<min(next + batch, count)).map(sampleEvent)
                    _ = try await log.append(events)
                    next += appenders * batch
                }
            }
        }
        try await group.waitForAll()
    }
    return Double(count) / seconds(start.duration(to: .now))
}

/// Appends started and finished, for measuring the pause after a kill.
final class AppendTimes: Sendable {
    let finished = Mutex<[(started: ContinuousClock.Instant, finished: ContinuousClock.Instant)]>([])
}

/// Runs the cluster script and waits for it on a thread of its own: Foundation's `Process` never
/// reported the script's exit to an async caller (the servers it starts outlive it).
func cluster(_ arguments: [String]) async throws {
    let argv = ["scripts/nats-cluster.sh"] + arguments + ["--port", "\(basePort)", "--dir", clusterDirectory]
    var cArguments = argv.map { strdup($0) } + [nil]
    defer {
        for argument in cArguments {
            free(argument)
        }
    }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, argv[0], nil, nil, &cArguments, environ)
    guard spawned == 0 else {
        report("cannot run scripts/nats-cluster.sh: errno \(spawned)")
        exit(1)
    }
    let child = pid
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(child, &status, 0) == -1 && errno == EINTR {}
            continuation.resume()
        }
    }
}

func waitForHealthyStream(_ connection: NATSConnection) async throws {
    for _ in 0..<600 {
        // Under continuous appends a follower is rarely "current"; online and within 10k messages is enough.
        if let info = try? await connection.streamInfo("TOCSIN_EVENTS"), info.leader != nil,
            info.replicas.count == 2, info.replicas.allSatisfy({ !$0.isOffline && $0.lag < 10_000 })
        {
            return
        }
        try await Task.sleep(for: .milliseconds(100))
    }
    report("the stream did not recover within 60 s")
    exit(1)
}

func failoverPauses(log: JetStreamEventLog, connection: NATSConnection, kills: Int) async throws -> [Double] {
    let times = AppendTimes()
    let publisher = Task {
        var next = 10_000_000
        while !Task.isCancelled {
            let started = ContinuousClock.now
            _ = try await log.append((next..<next + 10).map(sampleEvent))
            let finished = ContinuousClock.now
            times.finished.withLock { $0.append((started, finished)) }
            next += 10
        }
    }
    var pauses: [Double] = []
    for _ in 0..<kills {
        try await waitForHealthyStream(connection)
        try await Task.sleep(for: .seconds(1))
        guard let leader = try await connection.streamInfo("TOCSIN_EVENTS").leader else {
            continue
        }
        let pidText = try String(contentsOfFile: "\(clusterDirectory)/\(leader).pid", encoding: .utf8)
        let killed = ContinuousClock.now
        kill(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, SIGKILL)
        var pause: Double?
        while pause == nil {
            try await Task.sleep(for: .milliseconds(20))
            pause = times.finished.withLock { list in
                list.first { $0.started > killed }.map { seconds(killed.duration(to: $0.finished)) }
            }
        }
        pauses.append(pause ?? 0)
        report(String(format: "  kill of %@: publishing paused %.2f s", leader, pause ?? 0))
        try await cluster(["start"])
    }
    publisher.cancel()
    return pauses
}

func percentile(_ values: [Double], _ fraction: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]
}

let connection = try await NATSConnection.connect(NATSConnectionConfiguration(servers: urls))
try await connection.ensureStream(NATSStreamConfiguration(name: "BENCH_RAW", subjects: ["bench.raw"], replicas: 3))
let log = try await JetStreamEventLog.open(
    connection: connection,
    configuration: JetStreamLogConfiguration(replicas: 3)
) {
    Int64(Date().timeIntervalSince1970 * 1000)
}
let raw = rawPublish(count: total)
report(String(format: "raw libnats async publish, R3: %.0f msg/s (%d errors)", raw, rawErrors.load(ordering: .relaxed)))
let tocsin = try await tocsinAppend(log: log, count: total)
report(
    String(format: "JetStreamEventLog.append, R3, 4 x 250: %.0f events/s (%.0f%% of raw)", tocsin, tocsin / raw * 100)
)
if kills > 0 {
    let pauses = try await failoverPauses(log: log, connection: connection, kills: kills)
    report(
        String(
            format: "failover pause over %d kills: p50 %.2f s, p99 %.2f s, max %.2f s",
            pauses.count,
            percentile(pauses, 0.5),
            percentile(pauses, 0.99),
            pauses.max() ?? 0
        )
    )
}
await connection.close()
