// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
import Testing
import TocsinCore
import TocsinStore
import TocsinTesting

/// The `enrichment` part of a record: stored, read back, hashed, and absent from older records.
struct EnrichmentRecordTests {
    static let enrichment = try! JSONParser().parse(
        #"{"threat_intel":[{"list":"tor-exit","indicator":"203.0.113.9","type":"ip","value":"203.0.113.9"}]}"#
    )

    func verify(_ directory: TemporaryDirectory) throws -> AuditVerifier.Report {
        try AuditVerifier(dataDirectory: directory.path).verify()
    }

    @Test("an enriched record is stored, read back, shown by the API form and covered by the chain")
    func enrichedRecord() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let view = JSONValue.object(JSONObject([.init(name: "class_uid", value: .number(JSONNumber(3002)))]))
        try await withRunningStore(directory: directory) { store, _ in
            _ = try await store.append([EventFixtures.sshFailure(id: "plain")])
            let receipts = try await store.append(entries: [
                LogEntry(event: EventFixtures.sshFailure(id: "e"), enrichment: Self.enrichment),
                LogEntry(event: EventFixtures.sshFailure(id: "ve"), ocsf: view, enrichment: Self.enrichment),
            ])
            let stored = try #require(try await store.event(at: receipts[0].sequence))
            #expect(stored.enrichment == Self.enrichment && stored.ocsf == nil)
            #expect(stored.jsonValue["enrichment"] == Self.enrichment)
            #expect(stored.matchDocument["enrichment"]?["threat_intel"] == Self.enrichment["threat_intel"])
            let both = try #require(try await store.event(at: receipts[1].sequence))
            #expect(both.ocsf == view && both.enrichment == Self.enrichment)
            let plain = try #require(try await store.event(at: 1))
            #expect(plain.enrichment == nil && plain.jsonValue["enrichment"] == nil)
            #expect(plain.matchDocument["enrichment"] == nil)
        }
        let report = try verify(directory)
        #expect(report.failure == nil && report.verifiedRecords >= 3)
    }

    @Test(
        "tampering with an enrichment is named as an altered record",
        arguments: [
            "UPDATE events SET enrichment = CAST('{\"threat_intel\":[]}' AS BLOB) WHERE seq = 2",
            "UPDATE events SET enrichment = NULL WHERE seq = 2",
            "UPDATE events SET enrichment = CAST('{}' AS BLOB) WHERE seq = 1",
        ]
    )
    func tampered(_ sql: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await withRunningStore(directory: directory) { store, _ in
            _ = try await store.append([EventFixtures.sshFailure(id: "plain")])
            _ = try await store.append(entries: [
                LogEntry(event: EventFixtures.sshFailure(id: "e"), enrichment: Self.enrichment)
            ])
        }
        #expect(try verify(directory).failure == nil)
        try tamper(directory.path, sql)
        let failure = try #require(try verify(directory).failure)
        let sequence: Int64 = sql.hasSuffix("seq = 1") ? 1 : 2
        #expect(failure.sequence == sequence && failure.reason == .altered)
    }

    @Test("a log written before enrichment existed verifies unchanged, before and after the migration")
    func olderLog() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await populate(directory)
        // Take the log back to the schema before the enrichment column, as an older version left it.
        try tamper(
            directory.path,
            "ALTER TABLE events DROP COLUMN enrichment; DELETE FROM grdb_migrations WHERE identifier = 'v7-enrichment'"
        )
        let before = try verify(directory)
        #expect(before.failure == nil && before.verifiedRecords == 10 && before.verifiedCheckpoints == 3)
        try await withRunningStore(directory: directory) { store, _ in
            #expect(try await store.event(at: 5)?.enrichment == nil)
            _ = try await store.append(entries: [
                LogEntry(event: EventFixtures.sshFailure(id: "after"), enrichment: Self.enrichment)
            ])
        }
        let after = try verify(directory)
        #expect(after.failure == nil && after.verifiedRecords >= 11)
    }
}
