// SPDX-License-Identifier: Apache-2.0

import Testing
import TocsinCore
import TocsinStore
import TocsinTesting

/// The store refuses to open over a log whose tail does not verify.
///
/// So the writer never signs over tampered records. The log of these tests has checkpoints at 4, 8 and 10.
struct StartupVerificationTests {
    let alterData = "UPDATE events SET data = CAST(replace(CAST(data AS TEXT), 'root', 'roou') AS BLOB)"

    func populated() async throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        try await populate(directory)
        return directory
    }

    @Test("an untouched log opens and its chain goes on")
    func untouched() async throws {
        let directory = try await populated()
        defer { directory.remove() }
        try await withRunningStore(directory: directory) { store, _ in
            let receipts = try await store.append([EventFixtures.sshFailure(id: "after")])
            #expect(receipts[0].sequence == 11)
        }
        #expect(try AuditVerifier(dataDirectory: directory.path).verify().failure == nil)
    }

    @Test("a record altered after the last signed checkpoint stops the store from opening, naming it")
    func alteredTail() async throws {
        let directory = try await populated()
        defer { directory.remove() }
        try tamper(directory.path, "DELETE FROM checkpoints WHERE seq = 10; \(alterData) WHERE seq = 9")
        let error = try #require(openingError(directory))
        #expect(error.code == .verificationFailed)
        #expect(error.sequence == 9)
        #expect(error.message.contains("sequence 9: altered"))
        #expect(error.message.contains("restore it from a backup"))
    }

    @Test("the record a checkpoint signs is itself checked")
    func alteredCheckpointRecord() async throws {
        let directory = try await populated()
        defer { directory.remove() }
        try tamper(directory.path, "\(alterData) WHERE seq = 10")
        let error = try #require(openingError(directory))
        #expect(error.sequence == 10 && error.message.contains("altered"))
    }

    @Test("a record removed from the tail is named")
    func deletedFromTail() async throws {
        let directory = try await populated()
        defer { directory.remove() }
        try tamper(directory.path, "DELETE FROM checkpoints WHERE seq = 10; DELETE FROM events WHERE seq = 9")
        let error = try #require(openingError(directory))
        #expect(error.sequence == 9 && error.message.contains("deleted"))
    }

    @Test("a forged signature on the last checkpoint is refused")
    func forgedCheckpoint() async throws {
        let directory = try await populated()
        defer { directory.remove() }
        try tamper(directory.path, "UPDATE checkpoints SET signature = zeroblob(64) WHERE seq = 10")
        let error = try #require(openingError(directory))
        #expect(error.sequence == 10 && error.message.contains("bad-signature"))
    }

    @Test("records cut off below the last checkpoint are refused")
    func truncatedBelowCheckpoint() async throws {
        let directory = try await populated()
        defer { directory.remove() }
        try tamper(directory.path, "DELETE FROM events WHERE seq >= 9")
        let error = try #require(openingError(directory))
        #expect(error.sequence == 10 && error.message.contains("truncated"))
    }

    @Test("with every checkpoint row deleted the whole log is the tail")
    func noCheckpointsLeft() async throws {
        let directory = try await populated()
        defer { directory.remove() }
        try tamper(directory.path, "DELETE FROM checkpoints; \(alterData) WHERE seq = 3")
        let error = try #require(openingError(directory))
        #expect(error.sequence == 3 && error.message.contains("altered"))
    }

    @Test("start-up checks only from the last checkpoint on; what lies below is left to 'audit verify'")
    func onlyTheTailAtStart() async throws {
        let directory = try await populated()
        defer { directory.remove() }
        try tamper(directory.path, "\(alterData) WHERE seq = 2")
        #expect(openingError(directory) == nil)
        let failure = try #require(try AuditVerifier(dataDirectory: directory.path).verify().failure)
        #expect(failure.sequence == 2 && failure.reason == .altered)
    }
}
