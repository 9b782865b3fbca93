// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
import NIOCore
import NIOHTTP1
import Synchronization
import Testing
import TocsinCore
import TocsinTesting

/// Crash safety and tamper evidence of the real binary.
struct DurabilityTests {
    @Test("events acknowledged before a SIGKILL are all present after restart, and the chain verifies")
    func killNine() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-crash")
        defer { directory.remove() }
        let data = directory.path + "/data"
        let server = try await ServerProcess.start(dataDirectory: data, arguments: ["--checkpoint-every", "50"])
        let acknowledged = Shared<[String: Int64]>([:])
        let key = server.adminKey
        let url = server.baseURL + "/v1/events"
        await withTaskGroup(of: Void.self) { group in
            for producer in 0..<8 {
                group.addTask {
                    await publishUntilRefused(url: url, key: key, source: "/crash", producer: producer) {
                        id,
                        sequence in
                        acknowledged.withLock { $0[id] = sequence }
                    }
                }
            }
            group.addTask {
                // Kill at a random moment once publishing is well under way (or after 5 minutes at most:
                // a loaded run acknowledged fewer than 200 events in its first minute).
                let deadline = ContinuousClock.now + .seconds(300)
                while acknowledged.withLock({ $0.count }) < 200, ContinuousClock.now < deadline {
                    try? await Task.sleep(for: .milliseconds(10))
                }
                try? await Task.sleep(for: .milliseconds(Int.random(in: 0...700)))
                await server.kill()
            }
        }
        let acked = acknowledged.withLock { $0 }
        #expect(acked.count >= 200, "the publishers should have been acknowledged before the kill")
        let restarted = try await ServerProcess.start(dataDirectory: data)
        for (id, sequence) in acked {
            let stored = try await call(
                restarted.baseURL + "/v1/events/\(sequence)",
                headers: [("Authorization", "Bearer \(key)")]
            )
            #expect(
                stored.status == 200 && stored.json?["event"]?["id"] == .string(id),
                "acknowledged event \(id) lost"
            )
        }
        #expect(await restarted.terminate() == 0)
        let verify = try await runTocsin(["audit", "verify", "--data-dir", data])
        #expect(verify.status == 0, "\(verify.output)")
    }

    @Test("SIGTERM during publishing exits 0 and everything acknowledged is kept")
    func gracefulShutdown() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-term")
        defer { directory.remove() }
        let data = directory.path + "/data"
        let server = try await ServerProcess.start(dataDirectory: data)
        let key = server.adminKey
        let acknowledged = Shared<Set<Int64>>([])
        let url = server.baseURL + "/v1/events"
        let status = await withTaskGroup(of: Int32?.self) { group in
            for producer in 0..<4 {
                group.addTask {
                    await publishUntilRefused(url: url, key: key, source: "/term", producer: producer) { _, sequence in
                        acknowledged.withLock { _ = $0.insert(sequence) }
                    }
                    return nil
                }
            }
            group.addTask {
                // Stop once publishing is well under way (or after 120 s at most: a loaded machine is slow).
                _ = try? await eventually(timeout: .seconds(120), { acknowledged.withLock { $0.count } }) { $0 >= 100 }
                return await server.terminate()
            }
            var status: Int32?
            for await result in group where result != nil {
                status = result
            }
            return status
        }
        #expect(status == 0)
        let verify = try await runTocsin(["audit", "verify", "--data-dir", data])
        #expect(verify.status == 0 && verify.output.contains("OK"))
        let acked = acknowledged.withLock { $0 }
        #expect(acked.count >= 100, "the publishers should have been acknowledged before the stop")
        let recorded = try await DatabaseQueue(path: data + "/tocsin.db").read { db in
            Set(try Int64.fetchAll(db, sql: "SELECT seq FROM events"))
        }
        #expect(acked.subtracting(recorded).isEmpty, "acknowledged sequence numbers missing after SIGTERM")
    }

    @Test("tampering makes 'tocsin audit verify' exit 1 naming the sequence number")
    func tamperThroughCLI() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-tamper")
        defer { directory.remove() }
        let data = directory.path + "/data"
        let server = try await ServerProcess.start(dataDirectory: data)
        let body = (1...6).map {
            #"{"specversion":"1.0","id":"\#($0)","source":"/s","type":"t","data":{"user":"alice"}}"#
        }
        _ = try await call(
            server.baseURL + "/v1/events",
            method: .POST,
            headers: [
                ("Authorization", "Bearer \(server.adminKey)"), ("content-type", "application/cloudevents-batch+json"),
            ],
            body: Array("[\(body.joined(separator: ","))]".utf8)
        )
        #expect(await server.terminate() == 0)
        #expect(try await runTocsin(["audit", "verify", "--data-dir", data]).status == 0)
        try await DatabaseQueue(path: data + "/tocsin.db").write { db in
            try db.execute(
                sql:
                    "UPDATE events SET data = CAST(replace(CAST(data AS TEXT), 'alice', 'alicf') AS BLOB) WHERE seq = 4"
            )
        }
        let result = try await runTocsin(["audit", "verify", "--data-dir", data])
        #expect(result.status == 1)
        #expect(result.output.contains("sequence 4: altered"))
    }
}

/// Publishes single structured events until the server stops acknowledging them with 202,
/// reporting each acknowledged id and sequence number.
private func publishUntilRefused(
    url: String,
    key: String,
    source: String,
    producer: Int,
    acknowledged: @Sendable (String, Int64) -> Void
) async {
    for index in 0..<100_000 {
        let id = "p\(producer)-\(index)"
        let body = #"{"specversion":"1.0","id":"\#(id)","source":"\#(source)","type":"t","data":{"n":\#(index)}}"#
        guard
            let answer = try? await call(
                url,
                method: .POST,
                headers: [("Authorization", "Bearer \(key)"), ("content-type", "application/cloudevents+json")],
                body: Array(body.utf8),
                timeout: .seconds(3)
            ),
            answer.status == 202, case .number(let seq) = answer.json?["seq"], let sequence = seq.int64Value
        else {
            return
        }
        acknowledged(id, sequence)
    }
}
