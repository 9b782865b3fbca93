// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinCore
import TocsinTesting

/// A native detection end to end: sshd logins over UDP syslog feed a `first_seen` rule (a new source
/// address for a user); its alert reaches the rule's target with the login that raised it, so the
/// blocklist path written for the event blocks the new address.
struct NativeDetectionServeTests {
    static let rules = """
        targets:
          edge:
            kind: blocklist
            ip_path: $.ocsf.src_endpoint.ip
            ttl_seconds: 3600
        rules:
          new-address-for-user:
            description: A user logs in from an address not seen for them before
            level: high
            pattern: {type: [ssh.login.succeeded]}
            first_seen: {key: [$.ocsf.user.name], value: $.ocsf.src_endpoint.ip, learning_seconds: 0}
            targets: [{target: edge}]
        """

    static func login(_ user: String, from address: String, second: Int, pid: Int) -> [UInt8] {
        let time = String(format: "Nov 25 10:00:%02d", second)
        return Array(
            "<38>\(time) bastion sshd[\(pid)]: Accepted password for \(user) from \(address) port 22 ssh2".utf8
        )
    }

    @Test(.timeLimit(.minutes(3))) func aNewAddressForAUserIsBlocked() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.path + "/rules", withIntermediateDirectories: true)
        try Data(Self.rules.utf8).write(to: URL(fileURLWithPath: directory.path + "/rules/ssh.yaml"))
        let udp = try await SyslogClient.freePort(udp: true)
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: ["--rules-dir", directory.path + "/rules", "--syslog-udp", "127.0.0.1:\(udp)"]
        )
        defer { Task { _ = await server.terminate() } }
        // alice's and bob's usual addresses are learned silently.
        let usual = [("alice", "203.0.113.9", 1), ("bob", "192.0.2.44", 2), ("alice", "203.0.113.9", 3)]
        for (user, address, second) in usual {
            try await SyslogClient.sendUDP([Self.login(user, from: address, second: second, pid: second)], port: udp)
        }
        let stored = try await server.eventually({ try await server.events(type: "ssh.login.succeeded") }) {
            $0.count >= 3
        }
        #expect(stored.count == 3)
        // alice from a new address raises one alert, which blocks that address.
        try await SyslogClient.sendUDP([Self.login("alice", from: "198.51.100.7", second: 4, pid: 4)], port: udp)
        let alerts = try await server.eventually({ try await server.events(type: "tocsin.alert.raised") }) {
            !$0.isEmpty
        }
        let alert = try #require(alerts.first?["event"]?["data"])
        #expect(alert["rule"] == .string("new-address-for-user") && alert["kind"] == .string("first_seen"))
        #expect(alert["level"] == .string("high"))
        #expect(alert["group"] == (try JSONParser().parse(#"[{"field":"$.ocsf.user.name","value":"alice"}]"#)))
        let blocked = try await server.eventually({
            String(
                decoding: try await call(server.baseURL + "/v1/blocklist", headers: [server.authorization]).body,
                as: UTF8.self
            )
        }) { $0.contains("198.51.100.7") }
        #expect(!blocked.contains("203.0.113.9") && !blocked.contains("192.0.2.44"))
        #expect(alerts.count == 1)
    }
}
