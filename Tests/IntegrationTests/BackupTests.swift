// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
import NIOHTTP1
import Synchronization
import Testing
import TocsinTesting

/// `tocsin backup` against a server that keeps ingesting.
struct BackupTests {
    /// What the producers share with the test: the acknowledged event ids and the stop signal.
    final class Progress: Sendable {
        let acknowledged = Mutex<[String]>([])
        let stop = Mutex(false)
    }

    @Test("a backup taken during ingestion verifies and holds every event acknowledged before it began")
    func backupWhileIngesting() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-backup")
        defer { directory.remove() }
        let server = try await ServerProcess.start(dataDirectory: directory.path + "/data")
        let key = server.adminKey
        let progress = Progress()
        // Two producers publish until told to stop (bounded at 4,000 events each).
        async let producing: Void = {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for producer in 0..<2 {
                    group.addTask {
                        for index in 0..<4_000 where !progress.stop.withLock({ $0 }) {
                            let id = "p\(producer)-\(index)"
                            let body =
                                #"{"specversion":"1.0","id":"\#(id)","source":"/backup","type":"t","data":{"n":\#(index)}}"#
                            // A producer that loses its connection sends the same id again: the log
                            // stores it once (docs/log.md); only a 202 counts as acknowledged.
                            var answer: HTTPAnswer?
                            for _ in 0..<3 where answer == nil {
                                answer = try? await call(
                                    server.baseURL + "/v1/events",
                                    method: .POST,
                                    headers: [
                                        ("Authorization", "Bearer \(key)"),
                                        ("content-type", "application/cloudevents+json"),
                                    ],
                                    body: Array(body.utf8)
                                )
                            }
                            if answer?.status == 202 {
                                progress.acknowledged.withLock { $0.append(id) }
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }()
        // Under way: a loaded machine acknowledged only 71 in a minute once, so the bar is 50 in two.
        let started = try await eventually(timeout: .seconds(120), { progress.acknowledged.withLock { $0.count } }) {
            $0 >= 50
        }
        #expect(started >= 50)
        let before = Set(progress.acknowledged.withLock { $0 })
        let backup = directory.path + "/backup"
        let run = try await runTocsin(["backup", "--data-dir", server.dataDirectory, "--to", backup])
        let afterBackup = progress.acknowledged.withLock { $0.count }
        // Ingestion went on while the backup ran; let a few more land, then stop.
        let more = try await eventually(timeout: .seconds(120), { progress.acknowledged.withLock { $0.count } }) {
            $0 > afterBackup + 20
        }
        progress.stop.withLock { $0 = true }
        try await producing
        #expect(more > afterBackup)
        #expect(await server.terminate() == 0)
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.hasPrefix("OK: "))

        let verify = try await runTocsin(["audit", "verify", "--data-dir", backup])
        #expect(verify.status == 0, "\(verify.output)\(verify.errors)")
        #expect(verify.output.hasPrefix("OK: "))

        let database = try DatabaseQueue(path: backup + "/tocsin.db")
        let stored = try await database.read { db in
            Set(try String.fetchAll(db, sql: "SELECT id FROM events WHERE source = '/backup'"))
        }
        #expect(before.subtracting(stored).isEmpty, "every event acknowledged before the backup is in it")
        let total = progress.acknowledged.withLock { $0.count }
        #expect(stored.count < total, "the backup is a snapshot, not the final state")

        for name in [
            "node.key", "definitions.key", "fingerprint.key", "admin.key", "erasure.key", "subject-keys.sqlite",
        ] {
            let attributes = try FileManager.default.attributesOfItem(atPath: backup + "/" + name)
            #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(name) is owner-only")
        }
        let folder = try FileManager.default.attributesOfItem(atPath: backup)
        #expect((folder[.posixPermissions] as? Int) == 0o700)
    }

    @Test("--without-secrets copies the database and node.pub only; an existing backup is not overwritten")
    func withoutSecrets() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-backup")
        defer { directory.remove() }
        let server = try await ServerProcess.start(dataDirectory: directory.path + "/data")
        let backup = directory.path + "/backup"
        let run = try await runTocsin([
            "backup", "--data-dir", server.dataDirectory, "--to", backup, "--without-secrets",
        ])
        let again = try await runTocsin(["backup", "--data-dir", server.dataDirectory, "--to", backup])
        #expect(await server.terminate() == 0)
        #expect(run.status == 0, "\(run.errors)")
        let files = try FileManager.default.contentsOfDirectory(atPath: backup).sorted()
        #expect(files == ["node.pub", "tocsin.db"])
        #expect(again.status == 2)
        #expect(again.errors.contains("is not an empty directory"))
        let verify = try await runTocsin(["audit", "verify", "--data-dir", backup])
        #expect(verify.status == 0, "\(verify.output)\(verify.errors)")
    }

    @Test("other processes opening the database beside a running server (backup, audit verify) leave it serving")
    func outsideReadersLeaveTheServerRunning() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-backup")
        defer { directory.remove() }
        let server = try await ServerProcess.start(dataDirectory: directory.path + "/data")
        let stop = Mutex(false)
        // Appends go on while the other processes open, read and close the database.
        async let appended: Int = {
            var count = 0
            while !stop.withLock({ $0 }) {
                count += (try? await server.publish(type: "t", ids: ["p\(count)"]).count) ?? 0
            }
            return count
        }()
        for round in 0..<3 {
            let backup = try await runTocsin([
                "backup", "--data-dir", server.dataDirectory, "--to", directory.path + "/backup-\(round)",
            ])
            #expect(backup.status == 0, "\(backup.errors)")
            let verify = try await runTocsin(["audit", "verify", "--data-dir", server.dataDirectory])
            #expect(verify.status == 0, "\(verify.errors)")
        }
        stop.withLock { $0 = true }
        #expect(await appended > 0)
        #expect(try await server.publish(type: "t", ids: ["after"]).count == 1, "the server still appends")
        #expect(await server.terminate() == 0)
    }
}
