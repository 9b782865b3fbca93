// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import TocsinRuntime

/// What logs show of a node's NATS authentication: the method and the files, never the password.
struct ClusterAuthenticationTests {
    @Test(
        "descriptions name the method and files and hide the password",
        arguments: [
            (nil, nil, nil, "anonymous"),
            ("tocsin", "pa55-Word", nil, "user tocsin with a password"),
            (nil, nil, "/etc/tocsin/ca.pem", "TLS"),
            ("tocsin", "pa55-Word", "/etc/tocsin/ca.pem", "user tocsin with a password, TLS"),
        ] as [(String?, String?, String?, String)]
    )
    func descriptions(user: String?, password: String?, authority: String?, expected: String) {
        var authentication = ClusterAuthentication()
        authentication.userName = user
        authentication.password = password
        authentication.trustedCertificatesFile = authority
        #expect(authentication.description == expected)
        var settings = ClusterSettings(servers: ["nats://127.0.0.1:4222"], nodeName: "a")
        settings.authentication = authentication
        #expect(!"\(settings)".contains("pa55"), "a settings description shows the password")
        var dumped = ""
        dump(settings, to: &dumped)
        #expect(!dumped.contains("pa55"), "dump shows the password")
    }

    @Test("a credentials file and a client certificate count as credentials; a password alone does not")
    func authenticates() {
        var authentication = ClusterAuthentication()
        #expect(!authentication.authenticates)
        authentication.password = "x"
        #expect(!authentication.authenticates)
        authentication.password = nil
        authentication.credentialsFile = "/etc/tocsin/tocsin.creds"
        #expect(authentication.authenticates)
        authentication.credentialsFile = nil
        authentication.certificateChainFile = "/etc/tocsin/client.pem"
        #expect(authentication.authenticates)
        #expect(authentication.description == "TLS, client certificate /etc/tocsin/client.pem")
    }
}
