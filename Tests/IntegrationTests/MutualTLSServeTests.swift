// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Testing
import TocsinCore
import TocsinTesting

/// HTTPS and mutual TLS against the real `tocsin serve`, with certificates made in the test.
struct MutualTLSServeTests {
    /// A CA, a server certificate for 127.0.0.1 and localhost, and a second, foreign CA.
    struct PKI {
        let directory: TemporaryDirectory
        let authority: TestCertificateAuthority
        let foreign: TestCertificateAuthority
        let serverFiles: (certificate: String, key: String)
        let caFile: String

        init() throws {
            directory = try TemporaryDirectory()
            authority = try TestCertificateAuthority(name: "Tocsin Clients CA")
            foreign = try TestCertificateAuthority(name: "Someone Else's CA")
            serverFiles = try authority.issueServer().write(to: directory.path, name: "server")
            caFile = directory.path + "/clients-ca.pem"
            try Data(try authority.certificatePEM.utf8).write(to: URL(fileURLWithPath: caFile))
        }

        /// A client that trusts the server's CA and presents `certificate`, if any.
        func client(presenting certificate: TestIssuedCertificate?) throws -> HTTPClient {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(try authority.certificatePEM.utf8)))
            if let certificate {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(certificate.certificatePEM.utf8)).map {
                    .certificate($0)
                }
                tls.privateKey = .privateKey(
                    try NIOSSLPrivateKey(bytes: Array(certificate.privateKeyPEM.utf8), format: .pem)
                )
            }
            return HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        }
    }

    static func send(
        _ client: HTTPClient,
        _ url: String,
        method: HTTPMethod = .GET,
        headers: [(String, String)] = [],
        body: [UInt8]? = nil
    ) async throws -> HTTPAnswer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers {
            request.headers.add(name: name, value: value)
        }
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await client.execute(request, timeout: .seconds(10))
        let collected = try await response.body.collect(upTo: 1024 * 1024)
        return HTTPAnswer(
            status: Int(response.status.code),
            headers: response.headers,
            body: Array(collected.readableBytesView)
        )
    }

    static func publish(_ client: HTTPClient, _ base: String, headers: [(String, String)] = []) async throws -> Int {
        try await send(
            client,
            base + "/v1/events",
            method: .POST,
            headers: headers + [
                ("ce-specversion", "1.0"), ("ce-id", UUID().uuidString), ("ce-source", "/ingest/1"),
                ("ce-type", "batch.received"), ("content-type", "application/json"),
            ],
            body: Array("{}".utf8)
        ).status
    }

    @Test(
        "--client-ca: a certificate naming an identity acts as it; unknown names are 401; no or foreign certificates fail the handshake"
    )
    func mutualTLS() async throws {
        let pki = try PKI()
        defer { pki.directory.remove() }
        let server = try await ServerProcess.start(
            dataDirectory: pki.directory.path + "/data",
            arguments: [
                "--tls-cert", pki.serverFiles.certificate, "--tls-key", pki.serverFiles.key, "--client-ca", pki.caFile,
            ]
        )
        defer { server.process.terminate() }
        let base = "https://127.0.0.1:\(server.port)"

        let stranger = try pki.client(presenting: try pki.authority.issueClient(commonName: "stranger.prod"))
        let ingest = try pki.client(presenting: try pki.authority.issueClient(commonName: "ingest-svc.prod"))
        let agent = try pki.client(
            presenting: try pki.authority.issueClient(commonName: "agent-7", uris: ["spiffe://tocsin/agent"])
        )
        let anonymous = try pki.client(presenting: nil)
        let impostor = try pki.client(presenting: try pki.foreign.issueClient(commonName: "ingest-svc.prod"))
        try await Self.withClients([stranger, ingest, agent, anonymous, impostor]) {
            try await Self.checkIdentities(
                base: base,
                server: server,
                stranger: stranger,
                ingest: ingest,
                agent: agent,
                anonymous: anonymous,
                impostor: impostor
            )
        }
    }

    /// Runs `body`, then shuts the clients down whether it threw or not.
    static func withClients(_ clients: [HTTPClient], _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            for client in clients {
                try? await client.shutdown()
            }
            throw error
        }
        for client in clients {
            try await client.shutdown()
        }
    }

    static func checkIdentities(
        base: String,
        server: ServerProcess,
        stranger: HTTPClient,
        ingest: HTTPClient,
        agent: HTTPClient,
        anonymous: HTTPClient,
        impostor: HTTPClient
    ) async throws {
        // The admin key still works over mutual TLS (any certificate from the CA, plus the bearer key).
        let admin = [("Authorization", "Bearer \(server.adminKey)")]
        for (name, role, certificateName) in [
            ("ingest-svc", "publisher", "ingest-svc.prod"), ("agent", "reader", "spiffe://tocsin/agent"),
        ] {
            let created = try await Self.send(
                stranger,
                base + "/v1/keys",
                method: .POST,
                headers: admin + [("content-type", "application/json")],
                body: Array(#"{"name":"\#(name)","roles":["\#(role)"],"certificate_cn":"\#(certificateName)"}"#.utf8)
            )
            #expect(created.status == 201, "\(String(decoding: created.body, as: UTF8.self))")
        }

        // CN = ingest-svc.prod: the publisher identity, no bearer token needed; its role applies.
        #expect(try await Self.publish(ingest, base) == 202)
        let read = try await Self.send(ingest, base + "/v1/events?limit=1")
        #expect(read.status == 403)
        #expect(read.json?["permission"] == .string("events:read"))
        // A URI SAN names the reader identity.
        #expect(try await Self.send(agent, base + "/v1/events?limit=1").status == 200)
        #expect(try await Self.publish(agent, base) == 403)
        // A valid certificate that names no identity.
        #expect(try await Self.send(stranger, base + "/v1/events?limit=1").status == 401)
        // A bearer header wins over the certificate, both ways.
        #expect(try await Self.publish(ingest, base, headers: [("Authorization", "Bearer tsk_wrong")]) == 401)
        #expect(try await Self.send(stranger, base + "/v1/events?limit=1", headers: admin).status == 200)
        // No certificate, or one from another CA: the handshake fails, no HTTP answer at all.
        await #expect(throws: (any Error).self) { try await Self.send(anonymous, base + "/healthz") }
        await #expect(throws: (any Error).self) { try await Self.publish(impostor, base) }
        // Plain HTTP on the TLS port gets nowhere either.
        await #expect(throws: (any Error).self) {
            try await call("http://127.0.0.1:\(server.port)/healthz", timeout: .seconds(5))
        }

        // Denials are audited with the identity the certificate named.
        let expected: Set<String> = ["bad-certificate -", "forbidden ingest-svc", "forbidden agent", "unknown-key -"]
        let seen = try await eventually(
            timeout: .seconds(15),
            {
                Set(
                    denialSummaries(
                        try await Self.send(
                            stranger,
                            base + "/v1/events?type=tocsin.auth.denied&limit=100",
                            headers: admin
                        )
                        .json
                    )
                )
            },
            until: { expected.isSubset(of: $0) }
        )
        #expect(expected.isSubset(of: seen), "\(seen)")
    }

    @Test("--tls-cert and --tls-key alone serve HTTPS with bearer keys; certificates then authenticate nobody")
    func httpsWithoutClientCertificates() async throws {
        let pki = try PKI()
        defer { pki.directory.remove() }
        let server = try await ServerProcess.start(
            dataDirectory: pki.directory.path + "/data",
            arguments: ["--tls-cert", pki.serverFiles.certificate, "--tls-key", pki.serverFiles.key]
        )
        defer { server.process.terminate() }
        let base = "https://127.0.0.1:\(server.port)"
        let anonymous = try pki.client(presenting: nil)
        let presenting = try pki.client(presenting: try pki.authority.issueClient(commonName: "admin"))
        try await Self.withClients([anonymous, presenting]) { () async throws in
            #expect(try await Self.send(anonymous, base + "/healthz").status == 200)
            #expect(
                try await Self.send(
                    anonymous,
                    base + "/v1/events?limit=1",
                    headers: [("Authorization", "Bearer \(server.adminKey)")]
                ).status == 200
            )
            #expect(try await Self.send(presenting, base + "/v1/events?limit=1").status == 401)
        }
    }
}
