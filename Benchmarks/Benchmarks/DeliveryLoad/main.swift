// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import Synchronization

// End-to-end delivery load against a running `tocsin serve` (see scripts/bench-delivery.sh):
// a loopback receiver, a webhook target and a rule, then
//   latency      1,000 events/s for 20 s; time from publish to webhook request (p50/p99/max)
//   throughput   50,000 events as fast as possible; deliveries/s at the receiver, server peak RSS
//   deadtarget   throughput with a second, dead target on the same rule
// Usage: DeliveryLoad <server-url> <admin-key> <server-pid> <mode>

let arguments = CommandLine.arguments
guard arguments.count == 5 else {
    print("usage: DeliveryLoad <server-url> <admin-key> <server-pid> latency|throughput|deadtarget")
    exit(2)
}
let server = arguments[1]
let key = arguments[2]
let serverPID = arguments[3]
let mode = arguments[4]

final class Receipts: Sendable {
    let state = Mutex<(latencies: [Double], count: Int, first: Date?, last: Date?)>(([], 0, nil, nil))

    func record(sentNanoseconds: UInt64?) {
        let now = Date()
        state.withLock { state in
            state.count += 1
            state.first = state.first ?? now
            state.last = now
            if let sent = sentNanoseconds {
                state.latencies.append(now.timeIntervalSince1970 * 1000 - Double(sent) / 1_000_000)
            }
        }
    }
}

let receipts = Receipts()
let router = Router()
router.post("/hook") { request, _ -> Response in
    let body = try await request.body.collect(upTo: 1 << 20)
    let text = String(buffer: body)
    var sent: UInt64?
    if let range = text.range(of: "\"sent\":") {
        sent = UInt64(text[range.upperBound...].prefix { $0.isNumber })
    }
    receipts.record(sentNanoseconds: sent)
    return Response(status: .ok)
}
let (ports, portContinuation) = AsyncStream<Int>.makeStream()
let application = Application(
    router: router,
    configuration: .init(address: .hostname("127.0.0.1", port: 0)),
    onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) }
)
let receiverTask = Task { try await application.runService(gracefulShutdownSignals: []) }
var receiverPort = 0
for await port in ports {
    receiverPort = port
    break
}

func request(_ method: HTTPMethod, _ path: String, _ body: String) async throws -> Int {
    var request = HTTPClientRequest(url: server + path)
    request.method = method
    request.headers.add(name: "Authorization", value: "Bearer \(key)")
    request.headers.add(
        name: "Content-Type",
        value: path == "/v1/events" ? "application/cloudevents-batch+json" : "application/json"
    )
    request.body = .bytes(ByteBuffer(string: body))
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
    _ = try await response.body.collect(upTo: 1 << 24)
    return Int(response.status.code)
}

let run = UUID().uuidString.prefix(8)
_ = try await request(
    .PUT,
    "/v1/targets/bench",
    #"{"kind":"webhook","url":"http://127.0.0.1:\#(receiverPort)/hook","max_concurrency":64}"#
)
var targets = #"[{"target":"bench"}]"#
if mode == "deadtarget" {
    _ = try await request(
        .PUT,
        "/v1/targets/dead",
        #"{"kind":"webhook","url":"http://127.0.0.1:1/hook","timeout_seconds":1}"#
    )
    targets = #"[{"target":"bench"},{"target":"dead"}]"#
}
_ = try await request(.PUT, "/v1/rules/bench", #"{"pattern":{"type":["bench.event"]},"targets":\#(targets)}"#)

func batch(_ prefix: String, _ range: Range<Int>) -> String {
    let padding = String(repeating: "x", count: 800)
    let events = range.map { index in
        let sent = UInt64(Date().timeIntervalSince1970 * 1_000_000_000)
        return
            #"{"specversion":"1.0","id":"\#(prefix)-\#(index)","source":"/bench/\#(run)","type":"bench.event","data":{"sent":\#(sent),"n":\#(index),"pad":"\#(padding)"}}"#
    }
    return "[" + events.joined(separator: ",") + "]"
}

func peakRSS() -> String {
    let status = (try? String(contentsOfFile: "/proc/\(serverPID)/status", encoding: .utf8)) ?? ""
    return status.split(separator: "\n").first { $0.hasPrefix("VmHWM") }.map(String.init) ?? "VmHWM unknown"
}

func waitFor(_ total: Int, timeout: Duration) async {
    let deadline = ContinuousClock.now + timeout
    while receipts.state.withLock({ $0.count }) < total && ContinuousClock.now < deadline {
        try? await Task.sleep(for: .milliseconds(20))
    }
}

switch mode {
case "latency":
    let seconds = 20
    let clock = ContinuousClock()
    let start = clock.now
    for tick in 0..<(seconds * 100) {
        _ = try await request(.POST, "/v1/events", batch("l\(tick)", 0..<10))
        try await clock.sleep(until: start + .milliseconds(10 * (tick + 1)))
    }
    await waitFor(seconds * 1000, timeout: .seconds(30))
    let latencies = receipts.state.withLock { $0.latencies }.sorted()
    func percentile(_ p: Double) -> Double {
        latencies.isEmpty ? .nan : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
    }
    print(
        String(
            format:
                "latency: %d deliveries at 1,000 events/s; publish→webhook p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms",
            latencies.count,
            percentile(0.5),
            percentile(0.9),
            percentile(0.99),
            latencies.last ?? .nan
        )
    )
default:
    let total = 50_000
    let started = Date()
    try await withThrowingTaskGroup(of: Void.self) { group in
        for publisher in 0..<8 {
            group.addTask {
                for chunk in stride(from: publisher * 500, to: total, by: 8 * 500) {
                    _ = try await request(.POST, "/v1/events", batch("t", chunk..<min(chunk + 500, total)))
                }
            }
        }
        try await group.waitForAll()
    }
    let published = Date().timeIntervalSince(started)
    let deliveredWhilePublishing = receipts.state.withLock { $0.count }
    await waitFor(total, timeout: .seconds(120))
    let (count, last) = receipts.state.withLock { ($0.count, $0.last) }
    let span = (last ?? Date()).timeIntervalSince(started)
    let steady = Double(count - deliveredWhilePublishing) / max(0.001, span - published)
    print(
        String(
            format:
                "%@: %d deliveries in %.2f s = %.0f deliveries/s overall; %.0f deliveries/s after publishing ended (%.2f s); server %@",
            mode,
            count,
            span,
            Double(count) / span,
            steady,
            published,
            peakRSS()
        )
    )
}
receiverTask.cancel()
try await HTTPClient.shared.shutdown()
