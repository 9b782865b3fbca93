// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinRuntime

/// NATS seed list entries are read strictly, so Tocsin's loopback and clear-text checks see the host
/// libnats will dial.
struct NATSServerAddressTests {
    @Test(
        "valid entries parse into the URL the client is given",
        arguments: [
            ("nats://127.0.0.1:4222", "nats://127.0.0.1:4222", true, false),
            ("tls://nats-1.example.com:4443", "tls://nats-1.example.com:4443", false, true),
            ("nats://localhost:4222", "nats://localhost:4222", true, false),
            ("nats://[::1]:4222", "nats://[::1]:4222", true, false),
            ("tls://[2001:db8::7]:4222", "tls://[2001:db8::7]:4222", false, true),
            ("nats://10.0.0.1:65535", "nats://10.0.0.1:65535", false, false),
        ]
    )
    func valid(text: String, url: String, loopback: Bool, tls: Bool) throws {
        let address = try #require(NATSServerAddress.parse(text))
        #expect(address.url == url)
        #expect(address.isLoopback == loopback)
        #expect(address.usesTLS == tls)
    }

    @Test(
        "entries with user information, paths, other schemes or bad ports are refused",
        arguments: [
            "nats://:x@127.0.0.1:4222/@evil.com:4222",
            "nats://tocsin:secret@127.0.0.1:4222",
            "nats://127.0.0.1:4222/",
            "nats://127.0.0.1:4222?x=1",
            "nats://127.0.0.1:4222#f",
            "NATS://10.0.0.5:4222",
            "Tls://10.0.0.5:4222",
            "10.0.0.5:4222",
            "foo://10.0.0.5:4222",
            "nats://10.0.0.5",
            "nats://10.0.0.5:0",
            "nats://10.0.0.5:65536",
            "nats://10.0.0.5:+42",
            "nats://:4222",
            "nats://[::1:4222",
            "nats://[evil.com]:4222",
            "nats://a:b:4222",
            "nats://héte.example:4222",
        ]
    )
    func refused(text: String) {
        #expect(NATSServerAddress.parse(text) == nil)
    }

    @Test("a list names its first bad entry, and an empty list is refused")
    func lists() {
        #expect(
            NATSServerAddress.parseList(" nats://a:1 , ,tls://b:2")
                == .success([
                    NATSServerAddress.parse("nats://a:1")!, NATSServerAddress.parse("tls://b:2")!,
                ])
        )
        #expect(NATSServerAddress.parseList("nats://a:1,nats://b") == .failure(.badEntry(2)))
        #expect(NATSServerAddress.parseList(" , ") == .failure(.empty))
    }
}
