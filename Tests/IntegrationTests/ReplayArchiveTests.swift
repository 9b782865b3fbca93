// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOHTTP1
import Testing
import TocsinCore
import TocsinTesting

/// Replays over archived history on the real binary: a range that spans two archive files and the
/// live log gives the report it gave before archiving, and a tampered or missing archive file
/// refuses the replay, naming the file.
struct ReplayArchiveTests {
    /// Archives the stages up to `stage` and Tocsin's own records; the next stage holds the cut back.
    static func retention(through stage: Int) -> String {
        let stages = (1...stage).map { "  - source: \"/stage-\($0)\"\n    keep: 1s\n" }.joined()
        return "default: forever\nrules:\n" + stages + "  - source: \"/tocsin/*\"\n    keep: 1s\n"
    }

    /// Publishes `count` events from `source` one request at a time (a checkpoint is signed after
    /// every fifth record's commit); returns the last sequence number.
    static func publish(_ server: ServerProcess, source: String, count: Int, offset: Int) async throws -> Int64 {
        var last: Int64 = 0
        for index in offset..<offset + count {
            let type = index % 5 == 0 ? "aws.signin" : "ssh.login.failed"
            let time = Timestamp(epochMilliseconds: Int64(1_795_000_000 + index) * 1000).text
            let event =
                #"{"specversion":"1.0","id":"e\#(index)","source":"\#(source)","type":"\#(type)","time":"\#(time)","#
                + #""data":{"ip":"10.0.0.\#(index % 4)"}}"#
            let answer = try await call(
                server.baseURL + "/v1/events",
                method: .POST,
                headers: [server.authorization, ("content-type", "application/cloudevents-batch+json")],
                body: Array("[\(event)]".utf8)
            )
            guard case .array(let receipts)? = answer.json?["events"], let seq = receipts.last?.integer("seq") else {
                throw HarnessError(description: "publish: \(answer.status)")
            }
            last = seq
        }
        return last
    }

    /// Runs `tocsin archive run` until it archives something; returns the last sequence archived.
    ///
    /// Each run has an effect, so the first one that archives is the answer (records are due a
    /// second after their ingest).
    static func archive(data: String, retention: String) async throws -> Int64 {
        let output = try await TocsinTesting.eventually(timeout: .seconds(60)) { () -> String? in
            let run = try await runTocsin(["archive", "run", "--data-dir", data, "--retention", retention])
            return run.output.hasPrefix("OK: records ") ? run.output : nil
        }
        let range = output.dropFirst("OK: records ".count).prefix { $0.isNumber || $0 == "-" }
        return try #require(Int64(range.split(separator: "-").last ?? ""), "\(output)")
    }

    @Test(
        "a replay across two archive files and the live log equals the replay before archiving; a tampered or missing file refuses it",
        .timeLimit(.minutes(5))
    )
    func spansArchives() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-replay-archives")
        defer { directory.remove() }
        let rules = directory.path + "/rules"
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        try Data(ReplayTests.rules.utf8).write(to: URL(fileURLWithPath: rules + "/rules.yaml"))
        let data = directory.path + "/data"
        let arguments = ["--rules-dir", rules, "--checkpoint-every", "5"]
        let replays = ReplayTests()

        let server = try await ServerProcess.start(dataDirectory: data, arguments: arguments)
        _ = try await Self.publish(server, source: "/stage-1", count: 30, offset: 0)
        _ = try await Self.publish(server, source: "/stage-2", count: 15, offset: 30)
        let last = try await Self.publish(server, source: "/stage-3", count: 15, offset: 45)
        let body = #"{"from": 1, "to": \#(last), "dry_run": true, "examples": 1000}"#
        let before = try await replays.post(server, body)
        let beforeID = try #require(before.json?.integer("id"), "\(String(decoding: before.body, as: UTF8.self))")
        let expected = try #require(try await replays.completed(server, id: beforeID)?["report"])
        #expect(expected["events"] == .number(JSONNumber(last)))
        #expect(await server.terminate() == 0)

        var cuts: [Int64] = []
        for stage in 1...2 {
            let retention = directory.path + "/retention-\(stage).yaml"
            try Data(Self.retention(through: stage).utf8).write(to: URL(fileURLWithPath: retention))
            cuts.append(try await Self.archive(data: data, retention: retention))
        }
        let (firstCut, secondCut) = (cuts[0], cuts[1])
        #expect(firstCut < secondCut && secondCut < last)
        let archives = data + "/archives"
        let files = try FileManager.default.contentsOfDirectory(atPath: archives).filter {
            $0.hasSuffix(".tocsin-archive")
        }.sorted()
        #expect(files.count == 2)

        let restarted = try await ServerProcess.start(dataDirectory: data, arguments: arguments)
        let after = try await replays.post(restarted, body)
        let afterID = try #require(after.json?.integer("id"), "\(String(decoding: after.body, as: UTF8.self))")
        let status = try #require(try await replays.completed(restarted, id: afterID))
        #expect(status["range"]?.integer("first_seq") == 1)
        #expect(status["report"] == expected)
        #expect(await restarted.terminate() == 0)

        // One byte flipped in the first file: a range reaching it is refused, naming it.
        let tampered = archives + "/" + files[0]
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: tampered)))
        bytes[bytes.count / 3] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: tampered))
        // The second file gone: a range reaching only it is refused, naming it.
        try FileManager.default.removeItem(atPath: archives + "/" + files[1])
        let third = try await ServerProcess.start(dataDirectory: data, arguments: arguments)
        let refused = try await replays.post(third, body)
        #expect(refused.status == 503)
        #expect(refused.json?["type"] == .string("urn:tocsin:problem:archive-unavailable"))
        #expect(refused.json?["archive"] == .string(files[0]))
        let missing = try await replays.post(third, #"{"from": \#(firstCut + 1), "to": \#(last), "dry_run": true}"#)
        #expect(missing.status == 503)
        #expect(missing.json?["archive"] == .string(files[1]))
        let live = try await replays.post(third, #"{"from": \#(secondCut + 1), "to": \#(last), "dry_run": true}"#)
        #expect(live.status == 202, "\(String(decoding: live.body, as: UTF8.self))")
        #expect(await third.terminate() == 0)
    }
}
