// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore

@testable import TocsinStore

/// A known-answer vector for the log's record format.
///
/// One fixed record, its canonical bytes and chain hash, written down once (computed independently
/// from the format in docs/log.md). Writer and verifier share the code under test, so only a vector
/// like this catches a format change that both would agree on.
struct RecordVectorTests {
    static let entry = LogEntry(
        event: CloudEvent(
            id: "evt-0001",
            source: "/ssh/bastion-1",
            type: "ssh.login.failed",
            dataContentType: "application/json",
            subject: "root",
            time: Timestamp(rfc3339: "2026-11-25T10:00:00Z"),
            extensions: ["tenant": .string("blue"), "priority": .integer(3)],
            data: .json(Array(#"{"user":"root","ip":"203.0.113.9"}"#.utf8))
        ),
        ocsf: .object(JSONObject([.init(name: "class_uid", value: .number(JSONNumber(Int64(3002))))]))
    )

    @Test("the attributes are stored as sorted compact JSON")
    func attributes() {
        let record = LogRecord(entry: Self.entry, ingestMilliseconds: 1_764_064_800_123)
        #expect(
            String(decoding: record.attributes, as: UTF8.self)
                == #"{"datacontenttype":"application/json","id":"evt-0001","priority":3,"source":"/ssh/bastion-1","#
                + #""specversion":"1.0","subject":"root","tenant":"blue","time":"2026-11-25T10:00:00Z","#
                + #""type":"ssh.login.failed"}"#
        )
    }

    @Test("the canonical bytes, digest and first chain hash are as written down")
    func vector() {
        var record = LogRecord(entry: Self.entry, ingestMilliseconds: 1_764_064_800_123)
        #expect(Hex.encode(record.canonicalBytes) == Self.canonicalHex)
        record.link(sequence: 1, previousHash: HashChain.genesis)
        #expect(Hex.encode(record.hash) == Self.chainHash)
        #expect(record.recomputedHash == record.hash)
    }

    static let canonicalHex =
        "746f6373696e2e7265636f72642e76310000019aba74ad7b000000ca7b2264617461636f6e74656e7474797065223a22"
        + "6170706c69636174696f6e2f6a736f6e222c226964223a226576742d30303031222c227072696f72697479223a332c22"
        + "736f75726365223a222f7373682f62617374696f6e2d31222c227370656376657273696f6e223a22312e30222c227375"
        + "626a656374223a22726f6f74222c2274656e616e74223a22626c7565222c2274696d65223a22323032362d31312d3235"
        + "5431303a30303a30305a222c2274797065223a227373682e6c6f67696e2e6661696c6564227d01000000227b22757365"
        + "72223a22726f6f74222c226970223a223230332e302e3131332e39227d6f000000127b22636c6173735f756964223a33"
        + "3030327d"
    static let chainHash = "f80a375f7bdd773112b632c07e0e53133905822e2e77a7e37ad5ab3c312ced43"
}
