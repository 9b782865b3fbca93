// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore

/// The canonical record bytes, pinned to digests computed independently from the format in
/// docs/log.md, so that records written before a part existed keep hashing as they did.
struct HashChainTests {
    static let attributes = Array(#"{"id":"1","source":"/s","specversion":"1.0","type":"t"}"#.utf8)
    static let data = Array(#"{"ip":"203.0.113.9"}"#.utf8)
    static let ocsf = Array(#"{"class_uid":3002}"#.utf8)
    static let enrichment = Array(
        #"{"threat_intel":[{"list":"tor-exit","indicator":"203.0.113.9","type":"ip","value":"203.0.113.9"}]}"#.utf8
    )

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let ocsf: [UInt8]?
        let enrichment: [UInt8]?
        let digest: String
        var testDescription: String { name }
    }

    @Test(
        "canonical digests",
        arguments: [
            Case(
                name: "no view, no enrichment (as every record before either existed)",
                ocsf: nil,
                enrichment: nil,
                digest: "80cd0eacdc682fffda8d39ba9fd146ecba78ea0d9eb7fe9af7c46d0fe0d000bc"
            ),
            Case(
                name: "a view only (as before enrichment existed)",
                ocsf: ocsf,
                enrichment: nil,
                digest: "9a98f01eddaac8a76d52d9cefb69f82fa25779a0f3d539df868fe8242b988e4b"
            ),
            Case(
                name: "an enrichment only",
                ocsf: nil,
                enrichment: enrichment,
                digest: "b56fd7211672d19791425b0fa8b9b81fb763ab73a678ad8036d08d601c84b98c"
            ),
            Case(
                name: "a view and an enrichment",
                ocsf: ocsf,
                enrichment: enrichment,
                digest: "9f263502df22901b0a455468e9e27645d36190e51975416c397052c1f829afd2"
            ),
        ]
    )
    func digests(_ example: Case) {
        let canonical = HashChain.canonicalBytes(
            attributes: Self.attributes,
            dataKind: 1,
            data: Self.data,
            ingestMilliseconds: 1_700_000_000_000,
            ocsf: example.ocsf,
            enrichment: example.enrichment
        )
        #expect(Hex.encode(HashChain.digest(canonical: canonical)) == example.digest)
    }

    @Test("a view and an enrichment of the same bytes hash differently")
    func partsAreTagged() {
        func digest(ocsf: [UInt8]?, enrichment: [UInt8]?) -> [UInt8] {
            HashChain.digest(
                canonical: HashChain.canonicalBytes(
                    attributes: Self.attributes,
                    dataKind: 1,
                    data: Self.data,
                    ingestMilliseconds: 1,
                    ocsf: ocsf,
                    enrichment: enrichment
                )
            )
        }
        #expect(digest(ocsf: Self.ocsf, enrichment: nil) != digest(ocsf: nil, enrichment: Self.ocsf))
    }
}
