// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore

@testable import TocsinRuntime

/// The identities bucket's values: an identity and its key hashes, never a key.
struct ClusterIdentityRecordTests {
    @Test("a record with every field reads back the same")
    func roundTrip() throws {
        let hash = Array(0..<32).map { UInt8($0 * 7) }
        let record = ClusterIdentityRecord(
            identity: Identity(
                name: "okta-hook",
                roles: [.publisher, .reader],
                scope: .object(JSONObject([.init(name: "source", value: .array([.string("okta")]))])),
                expiresAtMilliseconds: 1_900_000_000_000,
                certificateName: "hook.example",
                createdAtMilliseconds: 1_700_000_000_000,
                revokedAtMilliseconds: 1_800_000_000_000
            ),
            secrets: [
                KeySecret(hash: hash, identity: "okta-hook", expiresAtMilliseconds: 1_750_000_000_000),
                KeySecret(hash: Array(repeating: 0xAB, count: 32), identity: "okta-hook"),
            ]
        )
        #expect(ClusterIdentityRecord(bytes: record.bytes) == record)
        #expect(ClusterIdentityRecord.key("okta-hook") == "identity.okta-hook")
    }

    @Test("the stored value holds hex key hashes and no other secret")
    func storesHashes() throws {
        let record = ClusterIdentityRecord(
            identity: Identity(name: "admin", roles: [.admin], createdAtMilliseconds: 5),
            secrets: [KeySecret(hash: Array(repeating: 0x0F, count: 32), identity: "admin")]
        )
        let text = String(decoding: record.bytes, as: UTF8.self)
        #expect(
            text
                == #"{"name":"admin","roles":["admin"],"created_ms":5,"keys":[{"sha256":"\#(String(repeating: "0f", count: 32))"}]}"#
        )
    }

    @Test(
        "values that are not a record are refused",
        arguments: [
            "", "{}", #"{"name":"Bad Name","roles":[],"created_ms":1,"keys":[]}"#,
            #"{"name":"a","roles":[],"created_ms":1,"keys":[{"sha256":"abc"}]}"#,
            #"{"name":"a","roles":[],"created_ms":1,"keys":[{"sha256":"\#(String(repeating: "zz", count: 32))"}]}"#,
            #"{"name":"a","roles":[],"keys":[]}"#,
        ]
    )
    func refusesOthers(_ text: String) {
        #expect(ClusterIdentityRecord(bytes: Array(text.utf8)) == nil)
    }
}
