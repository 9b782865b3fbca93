// SPDX-License-Identifier: Apache-2.0

import Crypto
import Foundation
import GRDB
import Logging
import Testing
import TocsinCore
import TocsinTesting

@testable import TocsinStore

#if canImport(Glibc)
import Glibc
#endif

/// The witness file receives every signed checkpoint; the audit and the start-up check compare the
/// log with it, which is what finds records deleted together with their checkpoints.
struct CheckpointWitnessTests {
    /// A data directory and a witness file in another directory.
    struct Setup {
        let data: TemporaryDirectory
        let outside: TemporaryDirectory
        var witness: String { outside.path + "/checkpoints.jsonl" }

        init() throws {
            data = try TemporaryDirectory()
            outside = try TemporaryDirectory(prefix: "tocsin-witness")
        }

        func remove() {
            data.remove()
            outside.remove()
        }

        func audit(witness: Bool = true) throws -> AuditVerifier.Report {
            try AuditVerifier(dataDirectory: data.path, witnessPath: witness ? self.witness : nil).verify()
        }
    }

    /// The measured attack's log: 20 acknowledged events, checkpoints at 10 and 20, all witnessed.
    func attacked() async throws -> Setup {
        let setup = try Setup()
        try await populate(setup.data, count: 20, every: 10, witness: setup.witness)
        return setup
    }

    @Test("every signed checkpoint is appended to the witness as one JSON line, and the file is 0600")
    func linesMatchTheLog() async throws {
        let setup = try Setup()
        defer { setup.remove() }
        try await populate(setup.data, witness: setup.witness)
        let lines = try CheckpointWitness.lines(in: setup.witness)
        #expect(lines.map(\.entry.sequence) == [4, 8, 10])
        let logged = try DatabaseQueue(path: setup.data.path + "/tocsin.db").read { db in
            try Row.fetchAll(db, sql: "SELECT seq, hash, signature FROM checkpoints ORDER BY seq")
        }
        #expect(lines.map(\.entry.hash) == logged.map { Array($0["hash"] as Data) })
        #expect(lines.map(\.entry.signature) == logged.map { Array($0["signature"] as Data) })
        let text = try String(contentsOfFile: setup.witness, encoding: .utf8)
        #expect(text.hasPrefix(#"{"seq":4,"hash":""#) && text.hasSuffix("\n"))
        let mode = try FileManager.default.attributesOfItem(atPath: setup.witness)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let report = try setup.audit()
        #expect(report.failure == nil && report.witnessedCheckpoints == 3)
    }

    @Test("records deleted with their checkpoints pass the audit alone but not against the witness")
    func truncatedWithCheckpoints() async throws {
        let setup = try await attacked()
        defer { setup.remove() }
        try tamper(setup.data.path, "DELETE FROM events WHERE seq > 10; DELETE FROM checkpoints WHERE seq > 10")
        let alone = try setup.audit(witness: false)
        #expect(alone.failure == nil && alone.verifiedRecords == 10, "the attack the witness exists for")
        let failure = try #require(try setup.audit().failure)
        #expect(failure.sequence == 20 && failure.reason == .truncated)
        #expect(failure.description.contains("the log ends at 10"))
    }

    @Test("deleted checkpoint rows are found through the witness")
    func deletedCheckpointRows() async throws {
        let setup = try await attacked()
        defer { setup.remove() }
        try tamper(setup.data.path, "DELETE FROM checkpoints")
        #expect(try setup.audit(witness: false).failure == nil)
        let failure = try #require(try setup.audit().failure)
        #expect(failure.sequence == 10 && failure.reason == .witnessMissing)
    }

    @Test("a log re-signed with a replaced node key passes alone but differs from the witness")
    func resignedWithAnotherKey() async throws {
        let setup = try await attacked()
        defer { setup.remove() }
        let forger = Curve25519.Signing.PrivateKey()
        let database = try DatabaseQueue(path: setup.data.path + "/tocsin.db")
        try await database.write { db in
            for row in try Row.fetchAll(db, sql: "SELECT seq, hash FROM checkpoints") {
                let message = HashChain.checkpointMessage(sequence: row["seq"], hash: Array(row["hash"] as Data))
                try db.execute(
                    sql: "UPDATE checkpoints SET signature = ? WHERE seq = ?",
                    arguments: [Data(try forger.signature(for: message)), row["seq"] as Int64]
                )
            }
        }
        try Hex.encode(forger.publicKey.rawRepresentation).write(
            toFile: setup.data.path + "/node.pub",
            atomically: true,
            encoding: .utf8
        )
        #expect(try setup.audit(witness: false).failure == nil)
        let failure = try #require(try setup.audit().failure)
        #expect(failure.sequence == 10 && failure.reason == .witnessMismatch)
        #expect(failure.message.contains("signature"))
    }

    @Test("the store refuses to open when the witness's last checkpoint is gone from the log")
    func refusedAtStart() async throws {
        let setup = try await attacked()
        defer { setup.remove() }
        try tamper(setup.data.path, "DELETE FROM checkpoints WHERE seq = 20")
        let rowOnly = try #require(openingError(setup.data, witness: setup.witness))
        #expect(rowOnly.code == .verificationFailed && rowOnly.sequence == 20)
        #expect(rowOnly.message.contains("witness-missing"))
        try tamper(setup.data.path, "DELETE FROM events WHERE seq > 10")
        #expect(openingError(setup.data) == nil, "without the witness nothing shows")
        let cut = try #require(openingError(setup.data, witness: setup.witness))
        #expect(cut.code == .verificationFailed && cut.sequence == 20 && cut.message.contains("truncated"))
    }

    @Test("a witness inside the data directory is refused, also through a symbolic link")
    func insideTheDataDirectory() throws {
        let setup = try Setup()
        defer { setup.remove() }
        let inside = try #require(openingError(setup.data, witness: setup.data.path + "/witness.jsonl"))
        #expect(inside.code == .witness && inside.message.contains("inside the data directory"))
        let link = setup.outside.path + "/link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: setup.data.path)
        let linked = try #require(openingError(setup.data, witness: link + "/witness.jsonl"))
        #expect(linked.code == .witness && linked.message.contains("inside the data directory"))
    }

    @Test("a witness that is a symbolic link, or in a missing directory, is refused")
    func symbolicLinkOrMissingDirectory() throws {
        let setup = try Setup()
        defer { setup.remove() }
        let target = setup.outside.path + "/real.jsonl"
        _ = FileManager.default.createFile(atPath: target, contents: nil)
        try FileManager.default.createSymbolicLink(atPath: setup.witness, withDestinationPath: target)
        let link = try #require(openingError(setup.data, witness: setup.witness))
        #expect(link.code == .witness && link.message.contains("symbolic link"))
        let missing = try #require(openingError(setup.data, witness: setup.outside.path + "/no/such/w.jsonl"))
        #expect(missing.code == .witness && missing.message.contains("does not exist"))
    }

    /// Runs a store whose witness fails (its descriptor swapped for a read-only one) until the
    /// checkpoint at 2 failed, then repairs it and runs `afterRepair`.
    func withFailingWitness(
        _ setup: Setup,
        afterRepair: @Sendable (EventStore) async throws -> Void
    ) async throws {
        try await withRunningStore(
            directory: setup.data,
            configure: {
                $0.checkpointEveryRecords = 2
                $0.checkpointWitnessPath = setup.witness
            }
        ) { store, _ in
            let witness = try #require(store.witness)
            let readOnly = open("/dev/null", O_RDONLY)
            let writable = dup(witness.descriptor)
            defer { close(writable) }
            #expect(dup2(readOnly, witness.descriptor) >= 0)
            close(readOnly)
            let first = try await store.append((1...2).map { EventFixtures.sshFailure(id: "a\($0)") })
            #expect(first.map(\.sequence) == [1, 2], "events are acknowledged although the witness fails")
            try await waitUntil { witness.failureCount == 1 }
            #expect(try CheckpointWitness.lines(in: setup.witness).isEmpty)
            #expect(dup2(writable, witness.descriptor) >= 0)
            try await afterRepair(store)
        }
    }

    @Test("a failed witness write loses no event, is counted, and is written before the next checkpoint")
    func failedWriteIsRetried() async throws {
        let setup = try Setup()
        defer { setup.remove() }
        try await withFailingWitness(setup) { store in
            _ = try await store.append((3...4).map { EventFixtures.sshFailure(id: "a\($0)") })
        }
        // Each checkpoint is announced by the record after it: a1 a2 | cp 2, announcement 3, a3 a4 | cp 5.
        #expect(try CheckpointWitness.lines(in: setup.witness).map(\.entry.sequence) == [2, 5])
        #expect(try setup.audit().witnessedCheckpoints == 2)
    }

    @Test("a failed witness line is written at shutdown even when no checkpoint follows")
    func failedWriteIsRetriedAtShutdown() async throws {
        let setup = try Setup()
        defer { setup.remove() }
        try await withFailingWitness(setup) { _ in }
        #expect(try CheckpointWitness.lines(in: setup.witness).map(\.entry.sequence) == [2])
    }

    @Test("an incomplete last line left by a crash is removed when the witness is opened")
    func incompleteLastLine() async throws {
        let setup = try Setup()
        defer { setup.remove() }
        try await populate(setup.data, count: 4, witness: setup.witness)
        let handle = try #require(FileHandle(forWritingAtPath: setup.witness))
        try handle.seekToEnd()
        try handle.write(contentsOf: Array(#"{"seq":9,"hash":"ab"#.utf8))
        try handle.close()
        #expect(try CheckpointWitness.lines(in: setup.witness).count == 1, "a partial last line is skipped")
        try await populate(setup.data, count: 2, prefix: "more", witness: setup.witness)
        #expect(try CheckpointWitness.lines(in: setup.witness).map(\.entry.sequence) == [4, 6])
    }

    @Test("a damaged line makes the audit fail to read the witness, naming the line")
    func damagedLine() async throws {
        let setup = try Setup()
        defer { setup.remove() }
        try await populate(setup.data, count: 4, witness: setup.witness)
        let text = try String(contentsOfFile: setup.witness, encoding: .utf8)
        try ("not json\n" + text).write(toFile: setup.witness, atomically: false, encoding: .utf8)
        let error = #expect(throws: StoreError.self) { try setup.audit() }
        #expect(error?.message.contains("line 1 of the checkpoint witness") == true)
    }
}

/// Waits until `condition` holds, for at most 30 seconds.
func waitUntil(_ condition: () -> Bool) async throws {
    _ = try await eventually { condition() ? true : nil }
}
