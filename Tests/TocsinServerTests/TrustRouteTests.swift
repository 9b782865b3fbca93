// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOSSL
import Testing
import TocsinCore
import TocsinTesting

@testable import TocsinServer

/// JWT bearer tokens and client-certificate names through the router and access control.
struct TrustRouteTests {
    @Test("through the API a bad token is 401 and audited as bad-token, never 500; a good one gets its roles")
    func tokensThroughTheRouter() async throws {
        let fixture = try await JWTFixture()
        // TestAPI's manual clock starts at JWTFixture.now.
        let test = TestAPI(tokens: fixture.verifier)
        let reader = try TestTokens.signed(fixture.ec, claims: JWTFixture.claims(subject: "carol", roles: ["reader"]))
        let forged = TestTokens.hmac(
            secret: Array(fixture.rsa.publicKeyPEM.utf8),
            kid: "rsa-1",
            claims: JWTFixture.claims()
        )
        let garbage = "eyJ.eyJ.x"
        try await test.application.test(.router) { client in
            try await client.execute(
                uri: "/v1/events?limit=10",
                method: .get,
                headers: [.authorization: "Bearer \(reader)"]
            ) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/v1/keys", method: .get, headers: [.authorization: "Bearer \(reader)"]) {
                #expect($0.status == .forbidden)
            }
            for token in [forged, garbage, "tsk_not-a-key"] {
                try await client.execute(uri: "/v1/events", method: .get, headers: [.authorization: "Bearer \(token)"])
                {
                    #expect($0.status == .unauthorized)
                }
            }
        }
        let denials = test.audit.recorded.map { "\($0.reason.rawValue) \($0.identity ?? "-")" }
        #expect(denials == ["forbidden jwt:carol", "bad-token -", "bad-token -", "unknown-key -"])
    }

    @Test("a verified certificate's names authenticate a request without Authorization; a bearer header wins")
    func certificateNames() async throws {
        let service = Identity(
            name: "ingest-svc",
            roles: [.reader],
            certificateName: "spiffe://tocsin/ingest",
            createdAtMilliseconds: 0
        )
        let test = TestAPI(extraIdentities: [(service, "tsk_ingest")])
        let cases: [([String]?, HTTPFields, HTTPResponse.Status)] = [
            (["other.example", "spiffe://tocsin/ingest"], [:], .ok),
            (["unknown.example"], [:], .unauthorized),
            ([], [:], .unauthorized),
            (nil, [:], .unauthorized),
            (["spiffe://tocsin/ingest"], [.authorization: "Bearer tsk_wrong"], .unauthorized),
            (["unknown.example"], [.authorization: "Bearer \(TestAPI.key(.admin))"], .ok),
        ]
        try await test.application.test(.router) { client in
            for (names, headers, status) in cases {
                try await PeerCertificate.$names.withValue(names) {
                    try await client.execute(uri: "/v1/events?limit=1", method: .get, headers: headers) {
                        #expect($0.status == status, "\(names ?? []) \(headers)")
                    }
                }
            }
        }
        #expect(test.audit.recorded.map(\.reason) == [.badCertificate, .badCertificate, .unknownKey, .unknownKey])
    }

    @Test("certificate names are the subject CN, then DNS and URI alternative names")
    func namesFromACertificate() throws {
        let authority = try TestCertificateAuthority(name: "Test CA")
        let issued = try authority.issueClient(
            commonName: "ingest-svc.prod",
            dnsNames: ["ingest.internal"],
            uris: ["spiffe://tocsin/ingest"]
        )
        let certificate = try NIOSSLCertificate(bytes: Array(issued.certificatePEM.utf8), format: .pem)
        #expect(
            PeerCertificate.names(of: certificate) == ["ingest-svc.prod", "ingest.internal", "spiffe://tocsin/ingest"]
        )
    }
}
