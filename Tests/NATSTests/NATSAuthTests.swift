// SPDX-License-Identifier: Apache-2.0

#if NATS
import Foundation
import Testing
import TocsinNATS
import TocsinTesting

/// The development cluster requires credentials, and Tocsin presents them (docs/scale-out.md#security):
/// whoever reaches a NATS port without them can neither read the log nor act as a node.
@Suite(.serialized)
struct NATSAuthTests {
    @Test("anonymous clients and a wrong password are refused; the cluster's password connects")
    func clientsAuthenticate() async throws {
        try await NATSTestCluster.with { cluster in
            let anonymous = NATSConnectionConfiguration(servers: cluster.urls, maxReconnect: 0)
            do {
                _ = try await NATSConnection.connect(anonymous)
                Issue.record("an anonymous client connected")
            } catch let error as NATSError {
                #expect(error.code == .unauthorized, "\(error)")
            }
            var wrong = try cluster.configuration()
            wrong.authentication = NATSAuthentication(credentials: .userPassword(user: "tocsin", password: "guess"))
            #expect("\(wrong)".contains("user tocsin with a password") && !"\(wrong)".contains("guess"))
            var dumped = ""
            dump(wrong, to: &dumped)
            #expect(
                !dumped.contains("guess") && !String(reflecting: wrong.authentication.credentials).contains("guess")
            )
            do {
                _ = try await NATSConnection.connect(wrong)
                Issue.record("a wrong password connected")
            } catch let error as NATSError {
                #expect(error.code == .unauthorized, "\(error)")
                #expect(!error.message.contains("guess"), "the password is in the message")
            }
            let connection = try await NATSConnection.connect(try cluster.configuration())
            await connection.close()
        }
    }

    @Test("a node with a wrong password stops, says what to fix, and never shows the password")
    func serveRefused() async throws {
        try await NATSTestCluster.with { cluster in
            let directory = try TemporaryDirectory(prefix: "tocsin-nats-auth")
            defer { directory.remove() }
            let wrong = directory.path + "/wrong.password"
            try "not-the-Password-42\n".write(toFile: wrong, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: wrong)
            do {
                let node = try await TocsinNode.start(
                    name: "intruder",
                    cluster: cluster,
                    dataDirectory: directory.path + "/data",
                    credentials: ["--nats-user", "tocsin", "--nats-password-file", wrong]
                )
                await node.stop()
                Issue.record("a node with a wrong password started")
            } catch let refused as ServeExitedEarly {
                #expect(refused.errors.contains("NATS refused this node"), "\(refused.errors)")
                #expect(refused.errors.contains("check the NATS user and password file"), "\(refused.errors)")
                #expect(!(refused.errors + refused.output).contains("not-the-Password-42"), "the password was shown")
            }
        }
    }

    @Test(
        "over TLS a node with the authority and a client certificate connects and serves; without the certificate it is refused"
    )
    func mutualTLS() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-nats-tls")
        defer { directory.remove() }
        let authority = try TestCertificateAuthority(name: "NATS test CA")
        try Data(authority.certificatePEM.utf8).write(to: URL(fileURLWithPath: directory.path + "/ca.pem"))
        _ = try authority.issueServer().write(to: directory.path, name: "server")
        let client = try authority.issueClient(commonName: "tocsin-node").write(to: directory.path, name: "client")
        try await NATSTestCluster.with(tls: directory.path) { cluster in
            var configuration = try cluster.configuration()
            configuration.maxReconnect = 0
            configuration.authentication.trustedCertificatesFile = directory.path + "/ca.pem"
            do {
                _ = try await NATSConnection.connect(configuration)
                Issue.record("a client without a certificate connected")
            } catch let error as NATSError {
                #expect(error.code == .connection, "\(error)")
                #expect(error.message.contains("--nats-tls-cert"), "\(error)")
            }
            configuration.authentication.certificateChainFile = client.certificate
            configuration.authentication.privateKeyFile = client.key
            let connection = try await NATSConnection.connect(configuration)
            await connection.close()
            let node = try await TocsinNode.start(
                name: "tls",
                cluster: cluster,
                dataDirectory: directory.path + "/data",
                credentials: cluster.credentialArguments + [
                    "--nats-tls-ca", directory.path + "/ca.pem", "--nats-tls-cert", client.certificate,
                    "--nats-tls-key", client.key,
                ]
            )
            let answer = try await node.call("/v1/events", key: node.adminKey)
            #expect(answer.status == 200)
            await node.stop()
        }
    }

    @Test(
        "a node cut off from NATS refuses credentials with 503 rather than trust a stale key ring, and accepts them once caught up"
    )
    func failsClosed() async throws {
        try await NATSTestCluster.with { cluster in
            let directory = try TemporaryDirectory(prefix: "tocsin-nats-stale")
            defer { directory.remove() }
            let node = try await TocsinNode.start(name: "a", cluster: cluster, dataDirectory: directory.path + "/data")
            // Rules live in the node's own store: only the key ring's state decides these answers.
            #expect(try await node.call("/v1/rules", key: node.adminKey).status == 200)
            for name in ["n1", "n2", "n3"] {
                try cluster.kill(name)
            }
            let refused = try await holds(within: .seconds(30)) {
                (try? await node.call("/v1/rules", key: node.adminKey))?.status == 503
            }
            #expect(refused, "\(node.log)")
            try await cluster.restart()
            let accepted = try await holds(within: .seconds(90)) {
                (try? await node.call("/v1/rules", key: node.adminKey))?.status == 200
            }
            #expect(accepted, "\(node.log)")
            await node.stop()
        }
    }
}
#endif
