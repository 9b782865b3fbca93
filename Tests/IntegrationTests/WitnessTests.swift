// SPDX-License-Identifier: Apache-2.0

import Foundation
import GRDB
import Testing
import TocsinCore
import TocsinStore
import TocsinTesting

/// The measured attacks on the log, replayed against the real binary: records cut off with their
/// checkpoints, deleted checkpoint rows, and a tampered tail the server must not sign over.
struct WitnessTests {
    /// A data directory and a witness file in a separate directory.
    struct Setup {
        let root: TemporaryDirectory
        let outside: TemporaryDirectory
        var data: String { root.path + "/data" }
        var witness: String { outside.path + "/checkpoints.jsonl" }

        init() throws {
            root = try TemporaryDirectory(prefix: "tocsin-attack")
            outside = try TemporaryDirectory(prefix: "tocsin-witness")
        }

        func remove() {
            root.remove()
            outside.remove()
        }

        func tamper(_ sql: String) async throws {
            try await DatabaseQueue(path: data + "/tocsin.db").write { try $0.execute(sql: sql) }
        }

        func audit(witness: Bool) async throws -> (status: Int32, output: String, errors: String) {
            try await runTocsin(
                ["audit", "verify", "--data-dir", data] + (witness ? ["--witness", self.witness] : [])
            )
        }
    }

    /// 20 events acknowledged one by one, all checkpoints witnessed; the server stopped.
    ///
    /// Each checkpoint is announced by a `tocsin.checkpoint.signed` record right after it, so the
    /// log is: events 1-10, checkpoint 10, its announcement 11, events 12-20, checkpoint 20, its
    /// announcement 21, event 22, the final checkpoint 22 and its announcement 23.
    func acknowledgedTwenty() async throws -> Setup {
        let setup = try Setup()
        let server = try await ServerProcess.start(
            dataDirectory: setup.data,
            arguments: [
                "--checkpoint-every", "10", "--checkpoint-seconds", "3600", "--checkpoint-witness", setup.witness,
            ]
        )
        var sequences: [Int64] = []
        for index in 1...20 {
            sequences += try await server.publish(type: "t", ids: ["e\(index)"])
        }
        #expect(sequences == Array(1...10) + Array(12...20) + [22])
        let announced = try await server.events(type: "tocsin.checkpoint.signed")
        #expect(announced.compactMap { $0.integer("seq") } == [11, 21])
        #expect(announced.compactMap { $0["event"]?["data"]?.integer("seq") } == [10, 20])
        #expect(await server.terminate() == 0)
        return setup
    }

    @Test("the newest 10 of 20 events deleted with their checkpoints: 'audit verify --witness' exits 1, serve refuses")
    func truncatedWithCheckpoints() async throws {
        let setup = try await acknowledgedTwenty()
        defer { setup.remove() }
        let clean = try await setup.audit(witness: true)
        #expect(clean.status == 0, "\(clean.output)")
        #expect(clean.output.contains("Witness: 3 witnessed checkpoints match the log."))
        #expect(clean.output.contains("1 record lies after the last signed checkpoint (sequence 22)"))
        try await setup.tamper("DELETE FROM events WHERE seq > 10; DELETE FROM checkpoints WHERE seq > 10")
        let alone = try await setup.audit(witness: false)
        #expect(alone.status == 0 && alone.output.contains("OK: 10 records, 1 signed checkpoints verified."))
        let witnessed = try await setup.audit(witness: true)
        #expect(witnessed.status == 1)
        #expect(witnessed.output.contains("FAILED at sequence 20: truncated"), "\(witnessed.output)")
        let serve = try await serveUntilExit(setup.data, ["--checkpoint-witness", setup.witness])
        #expect(serve.status != 0)
        #expect(serve.errors.contains("sequence 22: truncated"), "the witness's last checkpoint: \(serve.errors)")
    }

    @Test("deleting only checkpoint rows makes 'audit verify --witness' exit 1 naming the first one")
    func deletedCheckpointRows() async throws {
        let setup = try await acknowledgedTwenty()
        defer { setup.remove() }
        try await setup.tamper("DELETE FROM checkpoints")
        #expect(try await setup.audit(witness: false).status == 0)
        let witnessed = try await setup.audit(witness: true)
        #expect(witnessed.status == 1)
        #expect(witnessed.output.contains("FAILED at sequence 10: witness-missing"), "\(witnessed.output)")
    }

    @Test("a record edited after the last checkpoint stops 'tocsin serve', naming its sequence number")
    func tamperedTail() async throws {
        let setup = try Setup()
        defer { setup.remove() }
        let server = try await ServerProcess.start(
            dataDirectory: setup.data,
            arguments: ["--checkpoint-every", "5", "--checkpoint-seconds", "3600"]
        )
        // Events 1-5, checkpoint 5 and its announcement 6, events 7-10, checkpoint 10 and its
        // announcement 11, events 12-14.
        for index in 1...12 {
            _ = try await server.publish(type: "t", ids: ["e\(index)"])
        }
        await server.kill()
        let audit = try await setup.audit(witness: false)
        #expect(audit.status == 0)
        #expect(
            audit.output.contains("4 records lie after the last signed checkpoint (sequence 10)"),
            "\(audit.output)"
        )
        #expect(audit.errors.contains("proves nothing"), "the warning about a key read from the data directory")
        try await setup.tamper(
            "UPDATE events SET data = CAST(replace(CAST(data AS TEXT), '203.0.113.9', '198.51.100.7') AS BLOB) WHERE seq = 12"
        )
        let serve = try await serveUntilExit(setup.data)
        #expect(serve.status != 0)
        #expect(serve.errors.contains("sequence 12: altered"), "\(serve.errors)")
        let checkpoints = try await DatabaseQueue(path: setup.data + "/tocsin.db").read { db in
            try Int64.fetchOne(db, sql: "SELECT max(seq) FROM checkpoints")
        }
        #expect(checkpoints == 10, "nothing was signed over the tampered record")
    }

    @Test("a rule sends every signed checkpoint to a webhook, as the witness file receives it")
    func checkpointsReachARulesTarget() async throws {
        let setup = try Setup()
        defer { setup.remove() }
        let receiver = try await TestReceiver.start()
        defer { receiver.stop() }
        let server = try await ServerProcess.start(
            dataDirectory: setup.data,
            arguments: [
                "--checkpoint-every", "3", "--checkpoint-seconds", "3600", "--checkpoint-witness", setup.witness,
            ]
        )
        try await server.define("target", "witness-service", #"{"kind":"webhook","url":"\#(receiver.url)"}"#)
        try await server.define(
            "rule",
            "checkpoints",
            #"{"pattern":{"type":["tocsin.checkpoint.signed"]},"targets":[{"target":"witness-service"}]}"#
        )
        _ = try await server.publish(type: "t", ids: ["a", "b", "c"])
        #expect(await receiver.waitFor { !$0.received.isEmpty })
        #expect(await server.terminate() == 0)
        let posted = try JSONParser().parse(try #require(receiver.received.first).body)
        #expect(posted["type"] == .string("tocsin.checkpoint.signed"))
        let witnessed = try #require(try CheckpointWitness.lines(in: setup.witness).first?.entry)
        let data = try #require(posted["data"])
        #expect(data.integer("seq") == witnessed.sequence)
        #expect(data["hash"]?.stringValue == Hex.encode(witnessed.hash))
        #expect(data["signature"]?.stringValue == Hex.encode(witnessed.signature))
    }

    @Test("serve refuses a witness inside the data directory")
    func witnessInsideDataDirectory() async throws {
        let setup = try Setup()
        defer { setup.remove() }
        let serve = try await serveUntilExit(setup.data, ["--checkpoint-witness", setup.data + "/witness.jsonl"])
        #expect(serve.status != 0)
        #expect(serve.errors.contains("inside the data directory"), "\(serve.errors)")
    }
}

/// Runs `tocsin serve` expecting it to refuse to start.
///
/// Stops it and records an issue if it is still running after 60 s. Returns its exit status and standard error.
func serveUntilExit(_ data: String, _ arguments: [String] = []) async throws -> (status: Int32, errors: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: ServerProcess.binary)
    process.arguments = ["serve", "--data-dir", data, "--http", "127.0.0.1:0"] + arguments
    let log = data + ".serve.log"
    _ = FileManager.default.createFile(atPath: log, contents: nil)
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
    process.standardOutput = FileHandle.nullDevice
    try ProcessLaunch.run(process)
    let exit = await process.exit(within: .seconds(60))
    if exit == nil {
        Issue.record("tocsin serve started although it should have refused")
        Foundation.kill(process.processIdentifier, SIGKILL)
    }
    return (exit?.status ?? -1, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
}
