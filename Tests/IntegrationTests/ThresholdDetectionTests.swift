// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinCore
import TocsinTesting

/// A threshold rule end to end: sshd failures over UDP syslog, counted per source address on event
/// time, raise one alert once five arrive within a minute, and the alert's target blocks the address.
struct ThresholdDetectionTests {
    static let rules = """
        targets:
          edge:
            kind: blocklist
            ip_path: $.ocsf.src_endpoint.ip
            ttl_seconds: 3600
        rules:
          ssh-bruteforce:
            description: Five failed SSH logins from one address within a minute
            pattern: {type: [ssh.login.failed, ssh.login.invalid_user]}
            threshold: {count: 5, within_seconds: 60, group_by: [$.ocsf.src_endpoint.ip]}
            targets: [{target: edge}]
        """

    /// An sshd failure from `address`, `second` seconds into the same minute.
    static func failure(from address: String, second: Int, pid: Int) -> [UInt8] {
        let time = String(format: "Nov 25 10:00:%02d", second)
        return Array("<38>\(time) bastion sshd[\(pid)]: Failed password for root from \(address) port 22 ssh2".utf8)
    }

    func blocklist(_ server: ServerProcess) async throws -> String {
        String(
            decoding: try await call(server.baseURL + "/v1/blocklist", headers: [server.authorization]).body,
            as: UTF8.self
        )
    }

    @Test(.timeLimit(.minutes(3))) func fiveFailuresWithinAMinuteBlockTheAddressOnce() async throws {
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
        // Four from one address and four from another: neither crosses the threshold.
        var pid = 0
        func send(_ address: String, seconds: [Int]) async throws {
            for second in seconds {
                pid += 1
                try await SyslogClient.sendUDP([Self.failure(from: address, second: second, pid: pid)], port: udp)
            }
        }
        try await send("203.0.113.9", seconds: [1, 2, 3, 4])
        try await send("198.51.100.7", seconds: [1, 2, 3, 4])
        let stored = try await server.eventually({ try await server.events(type: "ssh.login.failed") }) {
            $0.count >= 8
        }
        #expect(stored.count == 8)
        // The fifth from the first address crosses it.
        try await send("203.0.113.9", seconds: [5])
        let alerts = try await server.eventually({ try await server.events(type: "tocsin.alert.raised") }) {
            !$0.isEmpty
        }
        let alert = try #require(alerts.first?["event"]?["data"])
        #expect(alert["rule"] == .string("ssh-bruteforce") && alert["kind"] == .string("threshold"))
        #expect(alert.integer("count") == 5)
        #expect(
            alert["group"] == (try JSONParser().parse(#"[{"field":"$.ocsf.src_endpoint.ip","value":"203.0.113.9"}]"#))
        )
        let blocked = try await server.eventually({ try await blocklist(server) }) { $0.contains("203.0.113.9") }
        #expect(blocked.contains("203.0.113.9") && !blocked.contains("198.51.100.7"))
        // More failures from the same address inside the window raise no second alert: once a third
        // address crosses the threshold after them, the first still has one.
        try await send("203.0.113.9", seconds: [6, 7, 8, 9, 10])
        try await send("192.0.2.44", seconds: [11, 12, 13, 14, 15])
        let all = try await server.eventually({ try await server.events(type: "tocsin.alert.raised") }) {
            $0.count >= 2
        }
        let groups = all.compactMap { alert -> String? in
            guard case .array(let group)? = alert["event"]?["data"]?["group"] else {
                return nil
            }
            return group.first?["value"]?.stringValue
        }
        #expect(groups == ["203.0.113.9", "192.0.2.44"])
    }

    @Test(.timeLimit(.minutes(3))) func aRestartInsideTheWindowNeitherLosesNorRepeatsTheAlert() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.path + "/rules", withIntermediateDirectories: true)
        try Data(Self.rules.utf8).write(to: URL(fileURLWithPath: directory.path + "/rules/ssh.yaml"))
        var pid = 0
        func serve(_ body: (ServerProcess, Int) async throws -> Void) async throws {
            let udp = try await SyslogClient.freePort(udp: true)
            let server = try await ServerProcess.start(
                dataDirectory: directory.path + "/data",
                arguments: ["--rules-dir", directory.path + "/rules", "--syslog-udp", "127.0.0.1:\(udp)"]
            )
            try await body(server, udp)
            #expect(await server.terminate() == 0)
        }
        func send(_ address: String, seconds: [Int], port: Int) async throws {
            for second in seconds {
                pid += 1
                try await SyslogClient.sendUDP([Self.failure(from: address, second: second, pid: pid)], port: port)
            }
        }
        // Three failures, then a restart in the middle of the window.
        try await serve { server, udp in
            try await send("203.0.113.9", seconds: [1, 2, 3], port: udp)
            _ = try await server.eventually({ try await server.events(type: "ssh.login.failed") }) { $0.count >= 3 }
        }
        // Two more after the restart cross the threshold: the first three were not forgotten.
        try await serve { server, udp in
            try await send("203.0.113.9", seconds: [4, 5], port: udp)
            let alerts = try await server.eventually({ try await server.events(type: "tocsin.alert.raised") }) {
                !$0.isEmpty
            }
            #expect(alerts.first?["event"]?["data"]?.integer("count") == 5)
        }
        // Another restart, then five more failures inside the same window (enough for a fresh engine
        // to alert again) and a new address crossing its own threshold: the first address's alert is
        // not raised again, since the rebuilt state remembers it fired in this window.
        try await serve { server, udp in
            try await send("203.0.113.9", seconds: [6, 7, 8, 9, 10], port: udp)
            try await send("192.0.2.44", seconds: [11, 12, 13, 14, 15], port: udp)
            let alerts = try await server.eventually({ try await server.events(type: "tocsin.alert.raised") }) {
                $0.count >= 2
            }
            #expect(alerts.count == 2)
        }
    }
}
