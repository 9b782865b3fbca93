// SPDX-License-Identifier: Apache-2.0

import Crypto
import Testing
import TocsinCore

/// The envelope a personal field is stored as: AES-GCM round trips, and every way to open it
/// wrongly fails.
struct FieldEnvelopeTests {
    static let keyID = String(repeating: "ab", count: 16)
    static let key = SymmetricKey(data: [UInt8](repeating: 7, count: 32))
    static let nonce = try! AES.GCM.Nonce(data: [UInt8](repeating: 1, count: 12))

    @Test(
        "every JSON value round-trips",
        arguments: [
            #""alice@example.com""#, "42", "3.10", "true", "null", #"{"a":[1,"x"]}"#, #""""#,
        ]
    )
    func roundTrip(json: String) throws {
        let value = try JSONParser().parse(json)
        let envelope = try FieldEnvelope.seal(value, keyID: Self.keyID, key: Self.key, nonce: Self.nonce)
        let text = envelope.text
        #expect(text.hasPrefix(FieldEnvelope.prefix + Self.keyID + ":"))
        #expect(!text.contains(json) || json.count < 3, "the plaintext is not in the envelope")
        let parsed = try #require(FieldEnvelope(parsing: text))
        #expect(parsed == envelope)
        #expect(parsed.open(key: Self.key) == value)
    }

    @Test("a random nonce makes equal values differ")
    func noncesDiffer() throws {
        let first = try FieldEnvelope.seal(.string("x"), keyID: Self.keyID, key: Self.key, nonce: AES.GCM.Nonce())
        let second = try FieldEnvelope.seal(.string("x"), keyID: Self.keyID, key: Self.key, nonce: AES.GCM.Nonce())
        #expect(first.text != second.text)
    }

    struct Tamper: Sendable, CustomTestStringConvertible {
        let name: String
        let change: @Sendable (FieldEnvelope) -> (FieldEnvelope, SymmetricKey)
        var testDescription: String { name }
    }

    @Test(
        "opening fails",
        arguments: [
            Tamper(name: "another key") { ($0, SymmetricKey(data: [UInt8](repeating: 8, count: 32))) },
            Tamper(name: "a flipped ciphertext bit") { envelope in
                var changed = envelope
                changed.sealed[13] ^= 1
                return (changed, FieldEnvelopeTests.key)
            },
            Tamper(name: "a flipped tag bit") { envelope in
                var changed = envelope
                changed.sealed[changed.sealed.count - 1] ^= 1
                return (changed, FieldEnvelopeTests.key)
            },
            Tamper(name: "another key id (the key id is authenticated)") { envelope in
                var changed = envelope
                changed.keyID = String(repeating: "cd", count: 16)
                return (changed, FieldEnvelopeTests.key)
            },
        ]
    )
    func tampered(tamper: Tamper) throws {
        let envelope = try FieldEnvelope.seal(.string("alice"), keyID: Self.keyID, key: Self.key, nonce: Self.nonce)
        let (changed, key) = tamper.change(envelope)
        #expect(changed.open(key: key) == nil)
    }

    @Test(
        "text that is not an envelope",
        arguments: [
            "alice", "tocsin:enc:v1:", "tocsin:enc:v1:abab:AAAA",
            "tocsin:enc:v1:\(String(repeating: "AB", count: 16)):\(String(repeating: "A", count: 40))",
            "tocsin:enc:v1:\(String(repeating: "ab", count: 16)):not base64!",
            "tocsin:enc:v1:\(String(repeating: "ab", count: 16)):AAAA",
            "tocsin:enc:v2:\(String(repeating: "ab", count: 16)):\(String(repeating: "A", count: 40))",
        ]
    )
    func notEnvelopes(text: String) {
        #expect(FieldEnvelope(parsing: text) == nil)
    }
}
