// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinCore
import TocsinResponse
import TocsinTesting

/// Deliveries to real loopback receivers through a real `tocsin serve`.
struct DeliveryTests {
    func serve() async throws -> (ServerProcess, TemporaryDirectory) {
        let directory = try TemporaryDirectory()
        return (try await ServerProcess.start(dataDirectory: directory.path + "/data"), directory)
    }

    @Test func deliversSignedWithAnIdempotencyKeyAndRecordsIt() async throws {
        let receiver = try await TestReceiver.start()
        defer { receiver.stop() }
        let (server, _) = try await serve()
        defer { Task { _ = await server.terminate() } }
        try await server.define("target", "soc", #"{"kind":"webhook","url":"\#(receiver.url)","secret":"s3cret"}"#)
        try await server.define(
            "rule",
            "ssh",
            #"{"pattern":{"type":["ssh.login.failed"],"data":{"ip":[{"cidr":"203.0.113.0/24"}]}},"targets":[{"target":"soc"}]}"#
        )
        let sequences = try await server.publish(type: "ssh.login.failed", ids: ["a", "b"])
        _ = try await server.publish(type: "ssh.login.failed", ids: ["c"]) { _ in #"{"ip":"10.0.0.1"}"# }
        #expect(await receiver.waitFor { $0.received.count >= 2 })
        let request = try #require(receiver.received.first)
        let signature = try #require(request.headers["tocsin-signature"])
        #expect(
            WebhookSignature.verify(
                header: signature,
                secret: "s3cret",
                body: request.body,
                now: Int64(Date().timeIntervalSince1970)
            )
        )
        #expect(
            !WebhookSignature.verify(
                header: signature,
                secret: "wrong",
                body: request.body,
                now: Int64(Date().timeIntervalSince1970)
            )
        )
        let keys = receiver.received.compactMap { $0.headers["idempotency-key"] }
        #expect(
            keys.contains { $0.hasPrefix("tocsin-\(sequences[0])-") }
                && keys.contains { $0.hasPrefix("tocsin-\(sequences[1])-") }
        )
        let body = try JSONParser().parse(request.body)
        #expect(body["type"] == .string("ssh.login.failed"))
        let deliveries = try await server.eventually({ try await server.deliveries(event: sequences[0]) }) {
            $0.first?["state"] == .string("succeeded")
        }
        #expect(deliveries.count == 1)
        #expect(deliveries.first?["target"] == .string("soc"))
        let recorded = try await server.eventually({ try await server.events(type: "tocsin.delivery.succeeded") }) {
            $0.count >= 2
        }
        #expect(recorded.count == 2)
        // Derived ids are keyed with the node's secret: nothing of the delivery shows in them.
        for item in recorded {
            let id = try #require(item["event"]?["id"]?.stringValue)
            #expect(id.hasPrefix("delivery-") && id.count == 41 && !id.hasPrefix("delivery-1-"), "\(id)")
        }
        #expect(receiver.received.count == 2, "the 10.0.0.1 event does not match")
        #expect(try await server.events(type: "tocsin.rule.created").count == 1)
    }

    @Test func failuresRetryThenDeadLetterWithTheirReason() async throws {
        let broken = try await TestReceiver.start(.status(503))
        let rejecting = try await TestReceiver.start(.status(400))
        let hanging = try await TestReceiver.start(.hang(.seconds(5)))
        defer {
            for receiver in [broken, rejecting, hanging] {
                receiver.stop()
            }
        }
        let (server, _) = try await serve()
        defer { Task { _ = await server.terminate() } }
        let fast =
            #""retry":{"max_attempts":3,"base_delay_ms":20,"max_delay_seconds":1},"circuit_breaker":{"failure_threshold":100}"#
        try await server.define("target", "broken", #"{"kind":"webhook","url":"\#(broken.url)",\#(fast)}"#)
        try await server.define("target", "rejecting", #"{"kind":"webhook","url":"\#(rejecting.url)",\#(fast)}"#)
        try await server.define(
            "target",
            "hanging",
            #"{"kind":"webhook","url":"\#(hanging.url)","timeout_seconds":1,\#(fast)}"#
        )
        try await server.define(
            "rule",
            "all",
            #"{"pattern":{"type":["x"]},"targets":[{"target":"broken"},{"target":"rejecting"},{"target":"hanging"}]}"#
        )
        let sequence = try #require(try await server.publish(type: "x", ids: ["1"]).first)
        let letters = try await server.eventually({ try await server.deadLetters() }) { $0.count == 3 }
        #expect(letters.count == 3)
        let byTarget = Dictionary(uniqueKeysWithValues: letters.map { ($0["target"]?.stringValue ?? "", $0) })
        #expect(byTarget["broken"]?["reason"] == .string("max-attempts"))
        #expect(byTarget["broken"]?.integer("attempts") == 3)
        #expect(byTarget["broken"]?["error"]?.integer("status") == 503)
        #expect(byTarget["rejecting"]?["reason"] == .string("not-retryable"))
        #expect(byTarget["rejecting"]?.integer("attempts") == 1)
        #expect(byTarget["hanging"]?["error"]?["kind"] == .string("timeout"))
        #expect(byTarget["broken"]?["first_attempt_at"] != .null && byTarget["broken"]?["last_attempt_at"] != .null)
        #expect(broken.received.count == 3 && rejecting.received.count == 1)
        #expect(try await server.deliveries(event: sequence).allSatisfy { $0["state"] == .string("dead-lettered") })
        #expect(try await server.events(type: "tocsin.delivery.deadlettered").count == 3)
        #expect(try await server.events(type: "tocsin.delivery.failed").count >= 2)
        #expect(try await server.deadLetters("?target=broken&error=max-attempts").count == 1)

        broken.setMode(.ok)
        let redrive = try await runTocsin([
            "dlq", "redrive", "--target", "broken", "--server", server.baseURL, "--key", server.adminKey,
        ])
        #expect(redrive.status == 0 && redrive.output.contains("redriven: 1"))
        #expect(await broken.waitFor { $0.received.count == 4 })
        let listed = try await runTocsin(["dlq", "list", "--server", server.baseURL, "--key", server.adminKey])
        #expect(listed.output.split(separator: "\n").count == 2)
        let purged = try await runTocsin([
            "dlq", "purge", "--all", "--server", server.baseURL, "--key", server.adminKey,
        ])
        #expect(purged.output.contains("purged: 2"))
        #expect(try await server.deadLetters().isEmpty)
    }

    @Test func retryAfterIsHonoured() async throws {
        let limited = try await TestReceiver.start(.status(429, retryAfter: "1"))
        defer { limited.stop() }
        let (server, _) = try await serve()
        defer { Task { _ = await server.terminate() } }
        try await server.define(
            "target",
            "limited",
            #"{"kind":"webhook","url":"\#(limited.url)","retry":{"max_attempts":5,"base_delay_ms":1}}"#
        )
        try await server.define("rule", "r", #"{"pattern":{"type":["x"]},"targets":[{"target":"limited"}]}"#)
        _ = try await server.publish(type: "x", ids: ["1"])
        #expect(await limited.waitFor { $0.received.count >= 1 })
        limited.setMode(.ok)
        #expect(await limited.waitFor { $0.received.count >= 2 })
        let attempts = limited.received
        #expect(attempts[1].at - attempts[0].at >= .milliseconds(900), "the second attempt waited for Retry-After")
    }

    @Test func theBreakerOpensAndAutoRedriveDeliversEverythingOnce() async throws {
        let flaky = try await TestReceiver.start(.status(500))
        defer { flaky.stop() }
        let (server, _) = try await serve()
        defer { Task { _ = await server.terminate() } }
        try await server.define(
            "target",
            "flaky",
            #"{"kind":"webhook","url":"\#(flaky.url)","auto_redrive":true,"retry":{"max_attempts":2,"base_delay_ms":10,"max_delay_seconds":1},"circuit_breaker":{"failure_threshold":3,"open_seconds":5}}"#
        )
        try await server.define("rule", "r", #"{"pattern":{"type":["x"]},"targets":[{"target":"flaky"}]}"#)
        _ = try await server.publish(type: "x", ids: (0..<10).map { "e\($0)" })
        let opened = try await server.eventually({ try await server.events(type: "tocsin.target.circuit.opened") }) {
            !$0.isEmpty
        }
        #expect(!opened.isEmpty)
        // Every delivery has failed twice by now or is held by the breaker; without the breaker
        // they would be dead letters and nothing would arrive again. The half-open probe arrives,
        // after a pause close to the breaker's 5 s open period (attempts already in flight when it
        // opened may arrive a little later; retries alone are at most 1 s apart).
        let beforeProbe = flaky.received.count
        #expect(await flaky.waitFor(timeout: .seconds(30)) { $0.received.count > beforeProbe })
        let times = flaky.received.map(\.at)
        let longestPause = zip(times, times.dropFirst()).map { $1 - $0 }.max() ?? .zero
        #expect(longestPause >= .seconds(3), "an open breaker starts no attempt until it half-opens")
        flaky.setMode(.ok)
        #expect(await flaky.waitFor(timeout: .seconds(30)) { $0.distinctKeys.count == 10 && $0.received.count >= 10 })
        let closed = try await server.eventually({ try await server.events(type: "tocsin.target.circuit.closed") }) {
            !$0.isEmpty
        }
        #expect(!closed.isEmpty)
        let letters = try await server.eventually({ try await server.deadLetters() }) { $0.isEmpty }
        #expect(letters.isEmpty, "auto redrive emptied the queue")
        #expect(flaky.distinctKeys.count == 10, "every event reached the receiver, under one key each")
    }

    @Test("a redrive says which targets' circuits are open, so their deliveries wait")
    func redriveNamesAnOpenCircuit() async throws {
        let down = try await TestReceiver.start(.status(503))
        defer { down.stop() }
        let up = try await TestReceiver.start(.status(503))
        defer { up.stop() }
        let (server, _) = try await serve()
        defer { Task { _ = await server.terminate() } }
        let once = #""retry":{"max_attempts":1}"#
        try await server.define(
            "target",
            "down",
            #"{"kind":"webhook","url":"\#(down.url)",\#(once),"circuit_breaker":{"failure_threshold":1,"open_seconds":600}}"#
        )
        try await server.define(
            "target",
            "up",
            #"{"kind":"webhook","url":"\#(up.url)",\#(once),"circuit_breaker":{"failure_threshold":100}}"#
        )
        try await server.define(
            "rule",
            "r",
            #"{"pattern":{"type":["x"]},"targets":[{"target":"down"},{"target":"up"}]}"#
        )
        _ = try await server.publish(type: "x", ids: ["1"])
        _ = try await server.eventually({ try await server.deadLetters() }) { $0.count == 2 }
        _ = try await server.eventually({ try await server.events(type: "tocsin.target.circuit.opened") }) {
            !$0.isEmpty
        }
        up.setMode(.ok)
        let redrive = try await runTocsin([
            "dlq", "redrive", "--all", "--server", server.baseURL, "--key", server.adminKey,
        ])
        #expect(redrive.status == 0 && redrive.output.contains("redriven: 2"))
        #expect(redrive.errors.contains("down: 1 pending again, but its circuit is open"))
        #expect(redrive.errors.contains("up: 1 pending again; they go out now."))
        #expect(await up.waitFor { $0.received.count == 2 })
        #expect(down.received.count == 1, "the open circuit holds the redriven delivery")
    }
}
