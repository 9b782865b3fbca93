// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinCore
import TocsinTesting

/// Crashes and reloads while deliveries are in flight: nothing acknowledged is lost, nothing is
/// delivered twice to a receiver that de-duplicates on the idempotency key.
struct DeliveryRecoveryTests {
    @Test func aSIGKILLWithPendingDeliveriesLosesNothing() async throws {
        // Every attempt fails until the server is killed, so all 300 deliveries are pending at the
        // kill however fast or slow this machine is.
        let receiver = try await TestReceiver.start(.status(503))
        defer { receiver.stop() }
        let directory = try TemporaryDirectory()
        let data = directory.path + "/data"
        var server = try await ServerProcess.start(dataDirectory: data)
        try await server.define(
            "target",
            "soc",
            #"{"kind":"webhook","url":"\#(receiver.url)","retry":{"max_attempts":1000,"base_delay_ms":20,"max_delay_seconds":1},"circuit_breaker":{"failure_threshold":10000}}"#
        )
        try await server.define("rule", "r", #"{"pattern":{"type":["x"]},"targets":[{"target":"soc"}]}"#)
        var sequences: [Int64] = []
        for batch in 0..<6 {
            sequences += try await server.publish(type: "x", ids: (0..<50).map { "b\(batch)-\($0)" })
        }
        #expect(await receiver.waitFor { $0.received.count >= 40 })
        await server.kill()
        receiver.setMode(.ok)

        server = try await ServerProcess.start(dataDirectory: data)
        let restarted = server
        defer { Task { _ = await restarted.terminate() } }
        let expected = sequences.count
        let delivered = await receiver.waitFor(timeout: .seconds(60)) { receiver in
            Set(
                receiver.delivered.filter { $0.headers["idempotency-key"] != nil }.compactMap { request in
                    (try? JSONParser().parse(request.body))?["id"]?.stringValue
                }
            ).count == expected
        }
        #expect(delivered, "every acknowledged event reached the receiver")
        for sequence in [sequences[0], sequences[149], sequences[299]] {
            let deliveries = try await server.eventually({ try await server.deliveries(event: sequence) }) {
                $0.count == 1 && $0[0]["state"] == .string("succeeded")
            }
            #expect(deliveries.count == 1, "one delivery per (event, rule, target), also after the replay")
        }
        #expect(Set(receiver.delivered.compactMap { $0.headers["idempotency-key"] }).count == sequences.count)
    }

    @Test func reloadingRulesUnderLoadDropsAndDuplicatesNothing() async throws {
        let receiver = try await TestReceiver.start()
        defer { receiver.stop() }
        let directory = try TemporaryDirectory()
        let rules = directory.path + "/rules"
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        func write(extraRule: Bool, valid: Bool = true) throws {
            var text = """
                targets:
                  soc: {kind: webhook, url: "\(receiver.url)"}
                rules:
                  steady:
                    pattern: {type: [x]}
                    targets: [{target: soc}]

                """
            if extraRule {
                text += "  other:\n    pattern: {type: [y]}\n    targets: [{target: soc}]\n"
            }
            if !valid {
                text += "  broken: {pattern: {type: []}, targets: []}\n"
            }
            try Data(text.utf8).write(to: URL(fileURLWithPath: rules + "/main.yaml"))
        }
        try write(extraRule: false)
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: ["--rules-dir", rules]
        )
        defer { Task { _ = await server.terminate() } }
        let publisher = Task {
            var sequences: [Int64] = []
            for batch in 0..<40 {
                sequences += try await server.publish(type: "x", ids: (0..<10).map { "x\(batch)-\($0)" })
                try await Task.sleep(for: .milliseconds(10))
            }
            return sequences
        }
        // Every reload, accepted or refused, is an event; the start-up load is the first.
        let reloads = { @Sendable in
            try await server.events(type: "tocsin.config.reloaded").count
                + server.events(type: "tocsin.config.rejected").count
        }
        for round in 0..<6 {
            try write(extraRule: round % 2 == 0, valid: round != 3)
            kill(server.process.processIdentifier, SIGHUP)
            let recorded = try await server.eventually(reloads, until: { $0 >= round + 2 })
            #expect(recorded >= round + 2, "reload \(round) was recorded")
        }
        let sequences = try await publisher.value
        #expect(await receiver.waitFor(timeout: .seconds(30)) { $0.received.count >= sequences.count })
        // A succeeded row is never attempted again: once every routed event's deliveries have all
        // succeeded, nothing more can arrive.
        for sequence in sequences {
            let settled = try await server.eventually({ try await server.deliveries(event: sequence) }) {
                !$0.isEmpty && $0.allSatisfy { $0["state"]?.stringValue == "succeeded" }
            }
            #expect(settled.count == 1, "event \(sequence) was routed once")
        }
        #expect(receiver.received.count == sequences.count, "no event was delivered twice")
        #expect(receiver.distinctKeys.count == sequences.count, "no event was dropped")
        #expect(try await server.events(type: "tocsin.config.reloaded").count >= 2)
        #expect(try await server.events(type: "tocsin.config.rejected").count >= 1, "the invalid file was refused")
    }

    @Test func configCheckPrintsEveryProblemWithItsPosition() async throws {
        let directory = try TemporaryDirectory()
        try Data(
            """
            targets:
              soc: {kind: webhook, url: "http://127.0.0.1:9/hook", timeout: 5}
            rules:
              r:
                pattern: {type: [{prefix: 5}]}
                targets: [{target: nowhere}]
            """.utf8
        ).write(to: URL(fileURLWithPath: directory.path + "/a.yaml"))
        let result = try await runTocsin(["config", "check", "--rules-dir", directory.path])
        #expect(result.status == 1)
        #expect(result.output.contains("a.yaml:2:56: $.targets.soc.timeout: unknown key"), "\(result.output)")
        #expect(result.output.contains("$.rules.r.pattern.type[0].prefix: prefix must be a string"), "\(result.output)")
        try FileManager.default.removeItem(atPath: directory.path + "/a.yaml")
        try Data("rules:\n  r: {pattern: {type: [x]}, targets: [{target: api-target}]}\n".utf8)
            .write(to: URL(fileURLWithPath: directory.path + "/b.yml"))
        let unknown = try await runTocsin(["config", "check", "--rules-dir", directory.path])
        #expect(
            unknown.output.contains("b.yml:2:3: rules.r.targets[0].target: no target is named 'api-target'"),
            "\(unknown.output)"
        )
        let valid = try await runTocsin([
            "config", "check", "--rules-dir", directory.path, "--known-target", "api-target",
        ])
        #expect(valid.status == 0 && valid.output.contains("OK: 1 file(s), 1 rule(s)"))
    }

    @Test("config check fails when a blocklist's nft_file directory is missing, and passes once it exists")
    func configCheckVerifiesTheNFTDirectory() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let nft = directory.path + "/nft/tocsin.nft"
        try Data("targets:\n  edge: {kind: blocklist, ip_path: $.data.ip, nft_file: \(nft)}\n".utf8)
            .write(to: URL(fileURLWithPath: directory.path + "/edge.yaml"))
        let missing = try await runTocsin(["config", "check", "--rules-dir", directory.path])
        #expect(missing.status == 1)
        #expect(
            missing.output.contains(
                "\(directory.path)/edge.yaml:2:3: $.targets.edge: nft_file \(nft): the directory \(directory.path)/nft does not exist"
            ),
            "\(missing.output)"
        )
        try FileManager.default.createDirectory(atPath: directory.path + "/nft", withIntermediateDirectories: false)
        let present = try await runTocsin(["config", "check", "--rules-dir", directory.path])
        #expect(present.status == 0, "\(present.output)")
    }
}
