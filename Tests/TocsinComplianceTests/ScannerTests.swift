// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCompliance
import TocsinCore

@Suite("Compliance scanner")
struct ScannerTests {
    private func scan(_ json: String) throws -> [ComplianceFinding] {
        try ComplianceScanner().scan(json: Array(json.utf8))
    }

    @Test("reports category and path for every string value, in document order")
    func paths() throws {
        let findings = try scan(
            """
            {"data": {"user": {"email": "alice@example.com", "ip": "203.0.113.7"},
             "cards": ["none", "4111-1111-1111-1111"], "e-mail": "bob@example.org",
             "odd.name": "carol@example.net", "count": 4111111111111111}}
            """
        )
        #expect(
            findings == [
                ComplianceFinding(category: .email, path: "$.data.user.email"),
                ComplianceFinding(category: .ipAddress, path: "$.data.user.ip"),
                ComplianceFinding(category: .paymentCard, path: "$.data.cards[1]"),
                ComplianceFinding(category: .email, path: "$.data.e-mail"),
                ComplianceFinding(category: .email, path: "$.data['odd.name']"),
            ]
        )
    }

    @Test("one finding per category per value, even when it occurs twice")
    func deduplicates() throws {
        let findings = try scan(#"{"note": "alice@example.com and bob@example.com"}"#)
        #expect(findings == [ComplianceFinding(category: .email, path: "$.note")])
    }

    @Test("decodes escapes before detecting, so an escaped PEM key is found")
    func escapes() throws {
        let findings = try scan(
            #"{"key": "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg\n-----END EC PRIVATE KEY-----", "u": "\u0061lice@example.com"}"#
        )
        #expect(
            findings == [
                ComplianceFinding(category: .privateKey, path: "$.key"),
                ComplianceFinding(category: .email, path: "$.u"),
            ]
        )
    }

    @Test("a member named like a secret makes a bare 40-character token an AWS secret key")
    func secretMember() throws {
        let findings = try scan(
            #"{"credentials": {"SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "other": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}}"#
        )
        #expect(findings == [ComplianceFinding(category: .awsSecretAccessKey, path: "$.credentials.SecretAccessKey")])
    }

    @Test("member names are not scanned, only values")
    func namesAreNotValues() throws {
        #expect(try scan(#"{"alice@example.com": 1}"#).isEmpty)
    }

    @Test(
        "malformed JSON is refused with a byte offset",
        arguments: [#"{"a": "x""#, #"{"a" "x"}"#, "[1,]", "{} x", #""\q""#]
    )
    func malformed(_ text: String) {
        #expect(throws: ComplianceScanError.self) {
            try ComplianceScanner().scan(json: Array(text.utf8))
        }
    }

    @Test("a parsed document gives the same findings as its bytes")
    func parsedDocument() throws {
        let text = #"{"a": ["+14155552671", {"b c": "AKIAIOSFODNN7EXAMPLE"}], "d": true}"#
        let value = try JSONParser().parse(text)
        let fromBytes = try scan(text)
        #expect(ComplianceScanner().scan(value) == fromBytes)
        #expect(fromBytes.map(\.path) == ["$.a[0]", "$.a[1]['b c']"])
    }

    @Test("strings end at their closing quote wherever it, an escape or a non-ASCII byte falls", arguments: 0...17)
    func stringBoundaries(_ padding: Int) throws {
        let pad = String(repeating: "p", count: padding)
        let findings = try scan(
            #"{"a\#(pad)": "\#(pad)alice@example.com", "b": "\#(pad)x\"y 203.0.113.7\\", "c": "é\#(pad)", "\#(pad)d": ["\#(pad)"]}"#
        )
        #expect(
            findings == [
                ComplianceFinding(category: .email, path: "$.a\(pad)"),
                ComplianceFinding(category: .ipAddress, path: "$.b"),
            ]
        )
        let control = Array(#"{"a": "\#(pad)x"}"#.utf8).map { $0 == UInt8(ascii: "x") ? 0x0A : $0 }
        #expect(throws: ComplianceScanError.self) {
            try ComplianceScanner().scan(json: control)
        }
    }
}
