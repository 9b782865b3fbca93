// SPDX-License-Identifier: Apache-2.0

#if NATS
import Foundation
import Testing
import TocsinNATS

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A 3-node nats-server cluster on random loopback ports, started with `scripts/nats-cluster.sh` in a
/// temporary directory.
///
/// Use ``with(_:)``: it stops the cluster and removes its directory however the test ends.
struct NATSTestCluster: Sendable {
    let directory: String
    let basePort: Int

    /// The nodes' client URLs (region a's with two regions).
    var urls: [String] {
        (0..<3).map { "nats://127.0.0.1:\(basePort + $0)" }
    }

    /// Region b's client URLs, when started with two regions.
    var regionBURLs: [String] {
        (10..<13).map { "nats://127.0.0.1:\(basePort + $0)" }
    }

    /// The file holding the clients' password (user `tocsin`), which the script makes.
    var passwordFile: String {
        passwordFile(user: "tocsin")
    }

    /// The file holding `user`'s password: `tocsin` (Tocsin's nodes, limited to the subjects Tocsin
    /// uses), `auditor` (reads for `audit verify`), `tocsin-admin` (anything in Tocsin's account) or,
    /// with a guest account, `guest`.
    func passwordFile(user: String) -> String {
        directory + "/\(user).password"
    }

    /// The arguments that give a `tocsin` command the cluster's client credentials.
    var credentialArguments: [String] {
        credentialArguments(user: "tocsin")
    }

    /// The arguments that give a `tocsin` command `user`'s credentials.
    func credentialArguments(user: String) -> [String] {
        ["--nats-user", user, "--nats-password-file", passwordFile(user: user)]
    }

    /// A connection configuration for `servers` (default: region a's) with `user`'s credentials
    /// (default: Tocsin's nodes' user, `tocsin`).
    func configuration(servers: [String]? = nil, user: String = "tocsin") throws -> NATSConnectionConfiguration {
        let password = try String(contentsOfFile: passwordFile(user: user), encoding: .utf8)
        return NATSConnectionConfiguration(
            servers: servers ?? urls,
            authentication: NATSAuthentication(credentials: .userPassword(user: user, password: password))
        )
    }

    /// The servers' logs, all nodes' together.
    func serverLogs() -> String {
        ["n1", "n2", "n3", "b1", "b2", "b3"].compactMap {
            try? String(contentsOfFile: "\(directory)/\($0).log", encoding: .utf8)
        }.joined()
    }

    /// Region a's leafnode ports, which region b dials, when started with two regions.
    var leafPorts: [Int] {
        (3000..<3003).map { basePort + $0 }
    }

    /// Starts a cluster, runs `body` with it and stops the cluster, also when `body` throws.
    ///
    /// With `regions: 2`, `leafRemotes` is called with the chosen base port before the servers start
    /// and returns the URLs region b dials for the link (none: region a's leafnode ports).
    ///
    /// With `tls`, a directory holding `ca.pem`, `server.pem` and `server.key`, clients must connect
    /// over TLS with a certificate that authority signed.
    /// With `guestAccount`, the servers also have a second account, `GUEST`, with JetStream and a
    /// user `guest`.
    ///
    /// Unless `refusesTocsin`, the test fails when a server refused the restricted user `tocsin`
    /// anything: Tocsin's permission lists must cover all it does.
    static func with<T>(
        regions: Int = 1,
        tls: String? = nil,
        guestAccount: Bool = false,
        refusesTocsin: Bool = false,
        leafRemotes: (Int) async throws -> [String] = { _ in [] },
        _ body: (NATSTestCluster) async throws -> T
    ) async throws -> T {
        let cluster = try await start(regions: regions, tls: tls, guestAccount: guestAccount, leafRemotes: leafRemotes)
        do {
            let result = try await body(cluster)
            if !refusesTocsin {
                let refusals = cluster.serverLogs().split(separator: "\n").filter {
                    $0.contains(#"Violation - User "tocsin""#)
                }
                #expect(refusals.isEmpty, "the servers refused Tocsin's user: \(refusals.joined(separator: "\n"))")
            }
            await cluster.stop()
            return result
        } catch {
            await cluster.stop()
            throw error
        }
    }

    /// Starts a cluster; fails the test clearly when nats-server is not installed.
    static func start(
        regions: Int = 1,
        tls: String? = nil,
        guestAccount: Bool = false,
        leafRemotes: (Int) async throws -> [String] = { _ in [] }
    ) async throws -> NATSTestCluster {
        guard
            FileManager.default.isExecutableFile(atPath: "/usr/sbin/nats-server")
                || FileManager.default.isExecutableFile(atPath: "/usr/bin/nats-server")
        else {
            Issue.record("nats-server is not installed: run scripts/ensure-deps.sh (apt-get install nats-server)")
            throw CancellationError()
        }
        var lastOutput = ""
        for _ in 0..<5 {
            // Client ports base…base+2; the script also uses base+2000…, +3000… and +4000….
            let base = Int.random(in: 500..<1400) * 20
            guard portsAreFree(base: base) && (regions == 1 || portsAreFree(base: base + 10)) else {
                continue
            }
            let directory = NSTemporaryDirectory() + "tocsin-nats-\(UUID().uuidString)"
            let cluster = NATSTestCluster(directory: directory, basePort: base)
            var arguments = ["start", "--regions", "\(regions)"] + (tls.map { ["--tls", $0] } ?? [])
            if guestAccount {
                arguments.append("--guest-account")
            }
            let remotes = try await leafRemotes(base)
            if !remotes.isEmpty {
                arguments += ["--leaf-remotes", remotes.joined(separator: ",")]
            }
            let (status, output) = await cluster.script(arguments)
            if status == 0 {
                return cluster
            }
            lastOutput = output
            await cluster.stop()
        }
        Issue.record("could not start a NATS cluster: \(lastOutput)")
        throw CancellationError()
    }

    /// Stops every node and removes the data.
    func stop() async {
        _ = await script(["stop", "--clean"])
    }

    /// Starts again every node of region a that is not running, on the same ports and data.
    func restart() async throws {
        let (status, output) = await script(["start", "--regions", "1"])
        try #require(status == 0, "\(output)")
    }

    /// Kills node `name` (`n1`…`n3`) with SIGKILL.
    func kill(_ name: String) throws {
        let text = try String(contentsOfFile: "\(directory)/\(name).pid", encoding: .utf8)
        let pid = try #require(Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(Foundation.kill(pid, SIGKILL) == 0)
    }

    /// Connects to all three nodes (of region a, or of region b with `region: "b"`) as `user`.
    func connect(region: String = "a", user: String = "tocsin") async throws -> NATSConnection {
        try await NATSConnection.connect(try configuration(servers: region == "b" ? regionBURLs : urls, user: user))
    }

    /// Whether every port the script would use for one region can be bound on loopback now.
    private static func portsAreFree(base: Int) -> Bool {
        [0, 2000, 3000, 4000].allSatisfy { offset in
            (0..<3).allSatisfy { canBind(port: base + offset + $0) }
        }
    }

    private static func canBind(port: Int) -> Bool {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else {
            return false
        }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// Runs the cluster script and returns its exit status and output.
    ///
    /// The script is started with `posix_spawn` and reaped by a blocking `waitpid` on a thread of its
    /// own, never on the cooperative pool. Its output goes to a file, not a pipe: the servers it starts
    /// in the background inherit its descriptors and would keep a pipe open.
    private func script(_ arguments: [String]) async -> (Int32, String) {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let executable = root.appendingPathComponent("scripts/nats-cluster.sh").path
        let logPath = NSTemporaryDirectory() + "tocsin-nats-script-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        let argv = [executable] + arguments + ["--port", "\(basePort)", "--dir", directory]
        guard let pid = Self.spawn(argv, output: logPath) else {
            return (-1, "cannot start \(executable): errno \(errno)")
        }
        let status = await Self.reap(pid)
        let output = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return (status, output)
    }

    /// Starts `argv` with stdin from /dev/null and stdout and stderr appended to `output`.
    private static func spawn(_ argv: [String], output: String) -> pid_t? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let cArguments = argv.map { strdup($0) }
        defer {
            for argument in cArguments {
                free(argument)
            }
        }
        var pid = pid_t()
        let result = (cArguments + [nil]).withUnsafeBufferPointer { arguments in
            posix_spawn(&pid, argv[0], &actions, nil, arguments.baseAddress!, environ)
        }
        return result == 0 ? pid : nil
    }

    /// Waits for `pid` to exit on a dedicated thread and returns its exit status (or 128 + signal).
    private static func reap(_ pid: pid_t) async -> Int32 {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                var status: Int32 = 0
                var result = waitpid(pid, &status, 0)
                while result == -1 && errno == EINTR {
                    result = waitpid(pid, &status, 0)
                }
                let signal = status & 0x7f
                let code = signal == 0 ? (status >> 8) & 0xff : 128 + signal
                continuation.resume(returning: result == pid ? code : -1)
            }
            thread.name = "nats-cluster-script reaper"
            thread.start()
        }
    }
}
#endif
