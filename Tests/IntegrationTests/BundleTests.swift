// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinCore
import TocsinTesting

/// `tocsin audit bundle` beside a running server, and `tocsin audit verify-bundle` with only a copy
/// of the node's public key: the threshold alert of ``ThresholdDetectionTests`` with its five
/// evidence events, the rules-directory load that holds its rule's text, and its blocklist delivery.
struct BundleTests {
    @Test(.timeLimit(.minutes(3))) func alertBundleVerifiesOfflineAndAnyChangeFails() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.path + "/data"
        try FileManager.default.createDirectory(atPath: directory.path + "/rules", withIntermediateDirectories: true)
        try Data(ThresholdDetectionTests.rules.utf8).write(to: URL(fileURLWithPath: directory.path + "/rules/ssh.yaml"))
        let udp = try await SyslogClient.freePort(udp: true)
        let server = try await ServerProcess.start(
            dataDirectory: data,
            arguments: [
                "--rules-dir", directory.path + "/rules", "--syslog-udp", "127.0.0.1:\(udp)", "--checkpoint-every", "4",
            ]
        )
        defer { Task { _ = await server.terminate() } }
        for second in 1...5 {
            try await SyslogClient.sendUDP(
                [ThresholdDetectionTests.failure(from: "203.0.113.9", second: second, pid: second)],
                port: udp
            )
        }
        let alerts = try await server.eventually({ try await server.events(type: "tocsin.alert.raised") }) {
            !$0.isEmpty
        }
        let alert = try #require(alerts.first?.integer("seq"))
        _ = try await server.eventually({ try await server.events(type: "tocsin.delivery.succeeded") }) {
            !$0.isEmpty
        }
        // Enough records after the delivery for a checkpoint (every 4 records) to cover it.
        _ = try await server.publish(type: "t", ids: (1...5).map { "filler-\($0)" })

        let bundle = directory.path + "/alert.bundle"
        let exported = try await runTocsin(["audit", "bundle", "--alert", "\(alert)", "-o", bundle, "--data-dir", data])
        #expect(exported.status == 0, "\(exported.errors)")
        let key = directory.path + "/node.pub"
        try FileManager.default.copyItem(atPath: data + "/node.pub", toPath: key)
        let verified = try await runTocsin(["audit", "verify-bundle", bundle, "--public-key", key])
        #expect(verified.status == 0, "\(verified.output)")
        #expect(verified.output.contains("OK: alert"))
        #expect(verified.output.contains("5 evidence events"))
        #expect(
            verified.output.contains(
                "ssh-bruteforce loaded from the rules directory (\(directory.path)/rules/ssh.yaml)"
            )
        )
        #expect(verified.output.contains(#""ssh.login.failed","ssh.login.invalid_user""#), "the rule's text")
        #expect(verified.output.contains("tocsin.delivery.succeeded (target edge"))

        var bytes = try #require(FileManager.default.contents(atPath: bundle))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: bundle))
        let altered = try await runTocsin(["audit", "verify-bundle", bundle, "--public-key", key])
        #expect(altered.status == 1 && altered.output.hasPrefix("FAILED: "), "\(altered.output)")

        // Another valid Ed25519 public key: the encoding of the curve's base point.
        let other = directory.path + "/other.pub"
        try Data("58\(String(repeating: "66", count: 31))\n".utf8).write(to: URL(fileURLWithPath: other))
        let again = try await runTocsin(["audit", "bundle", "--alert", "\(alert)", "-o", bundle, "--data-dir", data])
        #expect(again.status == 0, "\(again.errors)")
        let wrongKey = try await runTocsin([
            "audit", "verify-bundle", bundle, "--public-key", other, "--output", "json",
        ])
        #expect(wrongKey.status == 1)
        #expect(wrongKey.output.contains(#""code":"bad-signature""#), "\(wrongKey.output)")
    }

    @Test(.timeLimit(.minutes(2))) func aReloadLogsTheTextOfChangedRulesOnly() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let rules = directory.path + "/rules"
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        func write(_ secondType: String) throws {
            let text = """
                targets:
                  soc: {kind: webhook, url: "https://soc.example.com/hook"}
                rules:
                  first: {pattern: {type: [a]}, targets: [{target: soc}]}
                  second: {pattern: {type: [\(secondType)]}, targets: [{target: soc}]}

                """
            try Data(text.utf8).write(to: URL(fileURLWithPath: rules + "/main.yaml"))
        }
        try write("b")
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: ["--rules-dir", rules]
        )
        defer { Task { _ = await server.terminate() } }
        let initial = try await server.eventually({ try await server.events(type: "tocsin.rule.loaded") }) {
            $0.count >= 2
        }
        #expect(initial.compactMap { $0["event"]?["subject"]?.stringValue }.sorted() == ["first", "second"])
        try write("c")
        kill(server.process.processIdentifier, SIGHUP)
        _ = try await server.eventually({ try await server.events(type: "tocsin.config.reloaded") }) { $0.count >= 2 }
        let loaded = try await server.events(type: "tocsin.rule.loaded")
        #expect(loaded.compactMap { $0["event"]?["subject"]?.stringValue } == ["first", "second", "second"])
        let definition = loaded.last?["event"]?["data"]?["definition"].map { JSONWriter().string($0) } ?? ""
        #expect(definition.contains(#"["c"]"#), "the new text: \(definition)")
    }
}
