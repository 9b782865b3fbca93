// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOCore
import Testing
import TocsinCore
import TocsinTesting

/// The syslog listeners over real sockets: who may send (`--syslog-allow`), how many TCP
/// connections are served (`--syslog-max-connections`), how long a silent one stays open
/// (`--syslog-idle-seconds`), and that an odd value never gets a line refused.
struct SyslogSenderTests {
    /// A real line of the loghub OpenSSH corpus: the user name is empty.
    static func emptyUser(pid: Int) -> [UInt8] {
        Array(
            "<38>Dec 10 06:55:48 LabSZ sshd[\(pid)]: Failed password for invalid user  from 5.188.10.180 port 38926 ssh2"
                .utf8
        )
    }

    static func line(_ pid: Int) -> [UInt8] {
        Array("<38>Nov 25 10:00:00 bastion sshd[\(pid)]: Failed password for root from 203.0.113.9 port 22 ssh2\n".utf8)
    }

    @Test(.timeLimit(.minutes(2))) func emptyUserLineIsStoredOverUDPAndTCP() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let udp = try await SyslogClient.freePort(udp: true)
        let tcp = try await SyslogClient.freePort(udp: false)
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: ["--syslog-udp", "127.0.0.1:\(udp)", "--syslog-tcp", "127.0.0.1:\(tcp)"]
        )
        defer { Task { _ = await server.terminate() } }
        try await SyslogClient.sendUDP([Self.emptyUser(pid: 1)], port: udp)
        let connection = try await SyslogClient.connect(port: tcp)
        try await connection.writeAndFlush(ByteBuffer(bytes: Self.emptyUser(pid: 2) + [0x0A]))
        try await connection.close()
        let failed = try await server.eventually(
            { try await server.events(type: "ssh.login.failed") },
            until: { $0.count >= 2 }
        )
        #expect(failed.count == 2, "the datagram and the TCP line are both stored")
        #expect(failed.allSatisfy { $0["event"]?["subject"] == nil }, "the empty user is left out")
        #expect(failed.allSatisfy { $0["ocsf"]?["src_endpoint"]?["ip"]?.stringValue == "5.188.10.180" })
    }

    @Test(.timeLimit(.minutes(2))) func sendersOutsideTheAllowListAreDropped() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let udp = try await SyslogClient.freePort(udp: true)
        let tcp = try await SyslogClient.freePort(udp: false)
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: [
                "--syslog-udp", "127.0.0.1:\(udp)", "--syslog-tcp", "127.0.0.1:\(tcp)", "--syslog-allow",
                "127.0.0.1/32",
            ]
        )
        defer { Task { _ = await server.terminate() } }
        // From 127.0.0.2, outside the list: the datagram is dropped, the connection closed unread.
        try await SyslogClient.sendUDP([Self.line(1)], port: udp, from: "127.0.0.2")
        let outsider = try await SyslogClient.connect(port: tcp, from: "127.0.0.2")
        outsider.writeAndFlush(ByteBuffer(bytes: Self.line(2)), promise: nil)
        #expect(await SyslogClient.isClosedByPeer(outsider), "closed at accept")
        // From 127.0.0.1, inside: stored. The datagram from outside was read before this one.
        try await SyslogClient.sendUDP([Self.line(3)], port: udp)
        let insider = try await SyslogClient.connect(port: tcp)
        try await insider.writeAndFlush(ByteBuffer(bytes: Self.line(4)))
        try await insider.close()
        let stored = try await server.eventually(
            { try await server.events(type: "ssh.login.failed") },
            until: { $0.count >= 2 }
        )
        let pids = stored.compactMap { $0["event"]?["data"]?.stringValue }.map { $0.contains("sshd[3]") ? 3 : 4 }
        #expect(stored.count == 2 && Set(pids) == [3, 4], "only the allowed sender's lines are stored")
        let log = try String(contentsOfFile: server.dataDirectory + ".log", encoding: .utf8)
        #expect(log.contains("outside --syslog-allow") && log.contains("syslog.dropped"))
        #expect(!log.contains("203.0.113.9"), "the drop is logged without the message")
    }

    @Test func invalidAllowListStopsTheServerWithTheFix() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let run = try await runTocsin(
            ["serve", "--data-dir", directory.path + "/data", "--http", "127.0.0.1:0", "--syslog-allow", "10.0.0.0/33"]
        )
        #expect(run.status != 0)
        #expect(run.errors.contains("--syslog-allow") && run.errors.contains("10.0.0.0/33"), "\(run.errors)")
    }

    @Test(.timeLimit(.minutes(2))) func connectionsOverTheCapAreClosed() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tcp = try await SyslogClient.freePort(udp: false)
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: ["--syslog-tcp", "127.0.0.1:\(tcp)", "--syslog-max-connections", "2"]
        )
        defer { Task { _ = await server.terminate() } }
        var open: [any Channel] = []
        for pid in 1...2 {
            let connection = try await SyslogClient.connect(port: tcp)
            try await connection.writeAndFlush(ByteBuffer(bytes: Self.line(pid)))
            open.append(connection)
        }
        _ = try await server.eventually(
            { try await server.events(type: "ssh.login.failed") },
            until: { $0.count >= 2 }
        )
        let third = try await SyslogClient.connect(port: tcp)
        #expect(await SyslogClient.isClosedByPeer(third), "the third connection is closed at accept")
        #expect(open.allSatisfy { $0.isActive }, "the first two stay open")
        try await open[0].close()
        // Once one closes, a new connection is served again; until the server has seen that close,
        // a new connection is still over the cap and closed at accept (the write may then fail).
        let stored = try await server.eventually(
            {
                let next = try await SyslogClient.connect(port: tcp)
                try? await next.writeAndFlush(ByteBuffer(bytes: Self.line(3)))
                try? await next.close()
                return try await server.events(type: "ssh.login.failed")
            },
            until: { $0.count >= 3 }
        )
        #expect(stored.count == 3)
        try await open[1].close()
    }

    @Test(.timeLimit(.minutes(2))) func idleConnectionsAreClosedByTheServer() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tcp = try await SyslogClient.freePort(udp: false)
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: ["--syslog-tcp", "127.0.0.1:\(tcp)", "--syslog-idle-seconds", "5"]
        )
        defer { Task { _ = await server.terminate() } }
        let silent = try await SyslogClient.connect(port: tcp)
        let talker = try await SyslogClient.connect(port: tcp, sending: Self.line(1))
        #expect(await SyslogClient.isClosedByPeer(silent), "a connection that sends nothing is closed")
        #expect(await SyslogClient.isClosedByPeer(talker), "so is one that stopped sending")
        let stored = try await server.eventually(
            { try await server.events(type: "ssh.login.failed") },
            until: { $0.count >= 1 }
        )
        #expect(stored.count == 1, "what was sent is stored")
    }
}
