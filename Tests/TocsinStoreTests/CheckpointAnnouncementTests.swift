// SPDX-License-Identifier: Apache-2.0

import Crypto
import Testing
import TocsinCore
import TocsinStore
import TocsinTesting

/// Every signed checkpoint is announced by a `tocsin.checkpoint.signed` record, which rules can
/// route to any target; announcements alone never cause another checkpoint.
struct CheckpointAnnouncementTests {
    /// The log of `directory`, read through a store that is opened and stopped again.
    func logged(_ directory: TemporaryDirectory) async throws -> [LoggedEvent] {
        try await withRunningStore(directory: directory) { store, _ in
            try await store.query(EventQuery(after: 0, limit: 100)).events
        }
    }

    func verify(_ directory: TemporaryDirectory) throws -> AuditVerifier.Report {
        try AuditVerifier(dataDirectory: directory.path).verify()
    }

    @Test("the record after a checkpoint announces it, with a signature that verifies against the chain")
    func announcementCarriesTheCheckpoint() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await withRunningStore(directory: directory, configure: { $0.checkpointEveryRecords = 4 }) { store, _ in
            _ = try await store.append((1...4).map { EventFixtures.sshFailure(id: "a\($0)") })
        }
        let events = try await logged(directory)
        #expect(
            events.map(\.event.type) == Array(repeating: "ssh.login.failed", count: 4) + ["tocsin.checkpoint.signed"]
        )
        let announcement = try #require(events.last)
        #expect(announcement.event.source == "/tocsin/log" && announcement.event.subject == "4")
        guard case .json(let bytes)? = announcement.event.data else {
            Issue.record("the announcement has no JSON data")
            return
        }
        let data = try JSONParser().parse(bytes)
        #expect(data["seq"] == .number(JSONNumber(4)))
        #expect(data["hash"]?.stringValue == Hex.encode(events[3].hash))
        let signature = try #require(data["signature"]?.stringValue.flatMap(Hex.decode))
        let publicKey = try KeyFiles.loadPublicKey(from: directory.path + "/node.pub")
        let message = HashChain.checkpointMessage(sequence: 4, hash: events[3].hash)
        #expect(publicKey.isValidSignature(signature, for: message))
        #expect(
            !publicKey.isValidSignature(signature, for: HashChain.checkpointMessage(sequence: 4, hash: events[2].hash))
        )
    }

    @Test("stopping and restarting with only an announcement after the checkpoint signs nothing more")
    func announcementsDoNotLoop() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await withRunningStore(directory: directory) { store, _ in
            _ = try await store.append([EventFixtures.sshFailure(id: "only")])
        }
        for _ in 1...3 {
            _ = try await logged(directory)
        }
        let report = try verify(directory)
        #expect(report.failure == nil)
        #expect(report.verifiedRecords == 2 && report.verifiedCheckpoints == 1)
        #expect(report.lastCheckpointSequence == 1 && report.recordsAfterLastCheckpoint == 1)
    }

    @Test("once another record follows an announcement, the next checkpoint covers both")
    func laterCheckpointCoversTheAnnouncement() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await withRunningStore(directory: directory) { store, _ in
            _ = try await store.append([EventFixtures.sshFailure(id: "first")])
        }
        try await withRunningStore(directory: directory) { store, _ in
            let receipts = try await store.append([EventFixtures.sshFailure(id: "second")])
            #expect(receipts.map(\.sequence) == [3])
        }
        let report = try verify(directory)
        #expect(report.failure == nil && report.verifiedCheckpoints == 2 && report.lastCheckpointSequence == 3)
        let types = try await logged(directory).map(\.event.type)
        #expect(
            types == ["ssh.login.failed", "tocsin.checkpoint.signed", "ssh.login.failed", "tocsin.checkpoint.signed"]
        )
    }

    @Test("announcement ids come from the node's secret, so nobody can publish one first")
    func announcementIdsAreUnpredictable() async throws {
        var ids: [String] = []
        for _ in 1...2 {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            try await withRunningStore(directory: directory) { store, _ in
                _ = try await store.append([EventFixtures.sshFailure(id: "same")])
            }
            let announcement = try #require(try await logged(directory).last)
            ids.append(announcement.event.id)
        }
        #expect(ids.count == 2 && ids[0] != ids[1], "same sequence number, different nodes, different ids")
    }
}
