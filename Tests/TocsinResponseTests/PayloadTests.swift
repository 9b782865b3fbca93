// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinResponse

/// Pure payload builders: signatures, blocklist canonical forms and the nftables file.
struct PayloadTests {
    @Test func signaturesVerifyOnlyWithTheSecretTheBodyAndAFreshTimestamp() {
        let body = Array(#"{"a":1}"#.utf8)
        let header = WebhookSignature.header(secret: "k", timestamp: 1_000, body: body)
        #expect(header.hasPrefix("t=1000,v1="))
        #expect(WebhookSignature.verify(header: header, secret: "k", body: body, now: 1_100))
        #expect(!WebhookSignature.verify(header: header, secret: "k", body: body, now: 2_000), "stale")
        #expect(!WebhookSignature.verify(header: header, secret: "other", body: body, now: 1_000))
        #expect(!WebhookSignature.verify(header: header, secret: "k", body: Array(#"{"a":2}"#.utf8), now: 1_000))
        // The documented computation, checked against Python's hmac module:
        // hmac.new(b"k", b'1000.{"a":1}', hashlib.sha256).hexdigest()
        #expect(
            WebhookSignature.signature(secret: "k", timestamp: 1_000, body: body)
                == "dffbc2557cb360d8a87c2fbbf465de108bdca6df5f684e0ffa98cdbd4cd183fa"
        )
    }

    /// Timestamps at the ends of `Int64` are stale, never an overflow trap.
    ///
    /// Their distance to the clock overflows, or its absolute value does (`abs(Int64.min)`); each of
    /// these trapped before (found by code reading).
    @Test(arguments: [
        ("t=-9223372036854775808,v1=00", Int64(1_700_000_000)),
        ("t=9223372036854775807,v1=00", Int64(-1)),
        ("t=9223372036854775807,v1=00", Int64.min),
    ])
    func extremeTimestampsAreStaleNotATrap(header: String, now: Int64) {
        #expect(!WebhookSignature.verify(header: header, secret: "k", body: [], now: now))
        #expect(!WebhookSignature.verify(header: header, secret: "k", body: [], now: now, tolerance: .max))
    }

    @Test func blocklistEntriesAreCanonicalAndBounded() {
        func canonical(_ text: String) -> String? {
            if case .success(let value) = BlocklistFormat.canonical(.string(text)) {
                return value.entry
            }
            return nil
        }
        #expect(canonical("203.0.113.9") == "203.0.113.9")
        #expect(canonical("203.0.113.77/24") == "203.0.113.0/24")
        #expect(canonical("2001:DB8:0:0:0:0:0:1") == "2001:db8::1")
        #expect(canonical("2001:db8::/48") == "2001:db8::/48")
        #expect(canonical("10.0.0.0/7") == nil, "wider than /8")
        #expect(canonical("::/0") == nil)
        #expect(canonical("010.0.0.1") == nil)
        #expect(canonical("example.com") == nil)
        #expect(canonical("1.2.3.4; flush ruleset") == nil, "nothing but an address reaches the nft file")
        if case .success = BlocklistFormat.canonical(.number(JSONNumber(1))) {
            Issue.record("a number is not an address")
        }
    }

    @Test func nftablesFileHasOneSetPerFamily() {
        let entries = [
            BlocklistEntry(
                entry: "203.0.113.9",
                isV6: false,
                addedMilliseconds: 0,
                expiresMilliseconds: 1,
                rule: "r",
                eventSequence: 1
            ),
            BlocklistEntry(
                entry: "198.51.100.0/24",
                isV6: false,
                addedMilliseconds: 0,
                expiresMilliseconds: 1,
                rule: "r",
                eventSequence: 2
            ),
        ]
        let text = BlocklistFormat.nftables(entries)
        #expect(
            text.contains(
                "set tocsin_blocklist_v4 {\n\ttype ipv4_addr\n\tflags interval\n\telements = { 198.51.100.0/24, 203.0.113.9 }\n}"
            )
        )
        #expect(
            text.contains("set tocsin_blocklist_v6 {\n\ttype ipv6_addr\n\tflags interval\n}"),
            "an empty set has no elements line"
        )
    }
}
