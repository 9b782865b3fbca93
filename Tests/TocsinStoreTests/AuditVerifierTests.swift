// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
import Testing
import TocsinCore
import TocsinStore
import TocsinTesting

struct AuditVerifierTests {
    /// Writes 10 events with checkpoints at 4, 8 and 10 (see ``populate(_:count:every:prefix:witness:)``).
    func populatedDirectory() async throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        try await populate(directory)
        return directory
    }

    func tamper(_ directory: TemporaryDirectory, _ sql: String) throws {
        // A store that just stopped may still be closing its connections: wait for their locks.
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let database = try DatabaseQueue(path: directory.path + "/tocsin.db", configuration: configuration)
        try database.writeWithoutTransaction { try $0.execute(sql: sql) }
    }

    func verify(_ directory: TemporaryDirectory) throws -> AuditVerifier.Report {
        try AuditVerifier(dataDirectory: directory.path).verify()
    }

    @Test("an untouched log verifies, checkpoints included")
    func intact() async throws {
        let directory = try await populatedDirectory()
        defer { directory.remove() }
        let report = try verify(directory)
        #expect(report.failure == nil)
        #expect(report.verifiedRecords == 10)
        #expect(report.verifiedCheckpoints == 3)
    }

    @Test("one altered payload byte is named")
    func alteredPayload() async throws {
        let directory = try await populatedDirectory()
        defer { directory.remove() }
        try tamper(
            directory,
            "UPDATE events SET data = CAST(replace(CAST(data AS TEXT), 'root', 'roou') AS BLOB) WHERE seq = 6"
        )
        let failure = try #require(try verify(directory).failure)
        #expect(failure.sequence == 6)
        #expect(failure.reason == .altered)
    }

    @Test("an OCSF view is stored, read back and covered by the chain")
    func ocsfView() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let view = JSONValue.object(JSONObject([.init(name: "class_uid", value: .number(JSONNumber(3002)))]))
        try await withRunningStore(directory: directory) { store, _ in
            _ = try await store.append([EventFixtures.sshFailure(id: "plain")])
            let receipts = try await store.append(entries: [
                LogEntry(event: EventFixtures.sshFailure(id: "v"), ocsf: view)
            ])
            let stored = try await store.event(at: receipts[0].sequence)
            #expect(stored?.ocsf == view)
            #expect(stored?.matchDocument["ocsf"] == view)
            #expect(try await store.event(at: 1)?.ocsf == nil)
        }
        #expect(try verify(directory).failure == nil)
        try tamper(directory, "UPDATE events SET ocsf = CAST('{\"class_uid\":1}' AS BLOB) WHERE seq = 2")
        let failure = try #require(try verify(directory).failure)
        #expect(failure.sequence == 2 && failure.reason == .altered)
    }

    @Test("an altered indexed column is caught even though it is not hashed directly")
    func alteredColumn() async throws {
        let directory = try await populatedDirectory()
        defer { directory.remove() }
        try tamper(directory, "UPDATE events SET type = 'benign' WHERE seq = 2")
        let failure = try #require(try verify(directory).failure)
        #expect(failure.sequence == 2 && failure.reason == .altered)
    }

    @Test("a deleted record is named")
    func deleted() async throws {
        let directory = try await populatedDirectory()
        defer { directory.remove() }
        try tamper(directory, "DELETE FROM events WHERE seq = 5")
        let failure = try #require(try verify(directory).failure)
        #expect(failure.sequence == 5 && failure.reason == .deleted)
    }

    @Test("a deletion hidden by renumbering is still named")
    func deletedAndRenumbered() async throws {
        let directory = try await populatedDirectory()
        defer { directory.remove() }
        try tamper(directory, "DELETE FROM events WHERE seq = 5; UPDATE events SET seq = seq - 1 WHERE seq > 5")
        let failure = try #require(try verify(directory).failure)
        #expect(failure.sequence == 5 && failure.reason == .deleted)
    }

    @Test("two swapped records are named")
    func swapped() async throws {
        let directory = try await populatedDirectory()
        defer { directory.remove() }
        try tamper(
            directory,
            "UPDATE events SET seq = -1 WHERE seq = 3; UPDATE events SET seq = 3 WHERE seq = 7; UPDATE events SET seq = 7 WHERE seq = -1"
        )
        let failure = try #require(try verify(directory).failure)
        #expect(failure.sequence == 3 && failure.reason == .reordered)
    }

    @Test("truncating the tail past a signed checkpoint is detected")
    func truncated() async throws {
        let directory = try await populatedDirectory()
        defer { directory.remove() }
        try tamper(directory, "DELETE FROM events WHERE seq >= 8")
        let failure = try #require(try verify(directory).failure)
        #expect(failure.sequence == 8 && failure.reason == .truncated)
    }

    @Test("a forged checkpoint signature is named")
    func badSignature() async throws {
        let directory = try await populatedDirectory()
        defer { directory.remove() }
        try tamper(directory, "UPDATE checkpoints SET signature = zeroblob(64) WHERE seq = 4")
        let failure = try #require(try verify(directory).failure)
        #expect(failure.sequence == 4 && failure.reason == .badSignature)
    }

    @Test("the store will not rewrite the chain past a signed checkpoint: it refuses to open")
    func rewrittenChainRefused() async throws {
        let directory = try await populatedDirectory()
        defer { directory.remove() }
        try tamper(directory, "DELETE FROM events WHERE seq >= 3")
        let error = try #require(openingError(directory))
        #expect(error.code == .verificationFailed && error.sequence == 10)
    }

    @Test("a checkpoint validly signed over another chain is caught as a mismatch")
    func rewrittenChain() async throws {
        let directory = try await populatedDirectory()
        defer { directory.remove() }
        // The same node key writes a different chain elsewhere; its checkpoints are then planted here.
        let other = try TemporaryDirectory()
        defer { other.remove() }
        try FileManager.default.copyItem(atPath: directory.path + "/node.key", toPath: other.path + "/node.key")
        try await withRunningStore(directory: other, configure: { $0.checkpointEveryRecords = 4 }) { store, _ in
            for index in 1...10 {
                _ = try await store.append([EventFixtures.sshFailure(id: "forged\(index)")])
            }
        }
        try tamper(
            directory,
            "ATTACH DATABASE '\(other.path)/tocsin.db' AS other; DELETE FROM checkpoints; INSERT INTO checkpoints SELECT * FROM other.checkpoints"
        )
        let failure = try #require(try verify(directory).failure)
        #expect(failure.sequence == 4 && failure.reason == .checkpointMismatch)
    }
}
