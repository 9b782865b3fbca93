// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOHTTP1
import Testing
import TocsinCore
import TocsinTesting

/// The archive timer inside `tocsin serve`, and archived history read through `GET /v1/events`,
/// on the real binary.
struct ArchiveServeTests {
    static func publish(_ server: ServerProcess, id: String) async throws {
        let event = #"{"specversion":"1.0","id":"\#(id)","source":"/archive-test","type":"x","data":{"n":1}}"#
        let answer = try await call(
            server.baseURL + "/v1/events",
            method: .POST,
            headers: [server.authorization, ("content-type", "application/cloudevents+json")],
            body: Array(event.utf8)
        )
        #expect(answer.status == 202)
    }

    /// Every event of `query`, page by page through the `next` cursors.
    static func walk(_ server: ServerProcess, _ query: String) async throws -> [JSONValue] {
        var events: [JSONValue] = []
        var after: Int64 = 0
        while true {
            let answer = try await call(
                server.baseURL + "/v1/events?\(query)&after=\(after)",
                headers: [server.authorization]
            )
            try #require(answer.status == 200, "\(String(decoding: answer.body, as: UTF8.self))")
            events += answer.json?["events"]?.array ?? []
            guard let next = answer.json?.integer("next") else {
                return events
            }
            after = next
        }
    }

    @Test(
        "the timer archives inside serve and logs it; archived events read through the API; the archives verify",
        .timeLimit(.minutes(3))
    )
    func timerArchivesAndQueriesRead() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-archive-serve")
        defer { directory.remove() }
        let data = directory.path + "/data"
        let archives = directory.path + "/archives"
        let retention = directory.path + "/retention.yaml"
        try Data("default: 1s\n".utf8).write(to: URL(fileURLWithPath: retention))
        let server = try await ServerProcess.start(
            dataDirectory: data,
            arguments: [
                "--checkpoint-every", "5", "--archive-retention", retention, "--archive-dir", archives,
                "--archive-interval-seconds", "1",
            ]
        )
        for index in 0..<12 {
            // One request each: a checkpoint is signed after every fifth record's commit.
            try await Self.publish(server, id: "a\(index)")
        }
        let completed = try await TocsinTesting.eventually { () -> JSONValue? in
            let answer = try await call(
                server.baseURL + "/v1/events?type=tocsin.archive.completed",
                headers: [server.authorization]
            )
            return answer.json?["events"]?.array?.first?["event"]?["data"]
        }
        let name = try #require(completed["archive"]?.stringValue)
        #expect(FileManager.default.fileExists(atPath: archives + "/" + name))
        #expect(completed.integer("first_seq") == 1)
        // The timer keeps running while the pages are read: they must still be whole and in order.
        let ours = try await Self.walk(server, "source=/archive-test&limit=5")
        #expect(ours.compactMap { $0["event"]?["id"]?.stringValue } == (0..<12).map { "a\($0)" })
        let sequences = ours.compactMap { $0.integer("seq") }
        #expect(sequences == sequences.sorted() && Set(sequences).count == 12)
        let first = try await call(server.baseURL + "/v1/events/1", headers: [server.authorization])
        #expect(first.status == 200)
        #expect(first.json?["event"]?["id"]?.stringValue == "a0")
        #expect(await server.terminate() == 0)

        let verified = try await runTocsin(["audit", "verify", "--data-dir", data, "--archives", archives])
        #expect(verified.status == 0, "\(verified.output)\(verified.errors)")
        #expect(verified.output.contains("OK"), "\(verified.output)")
    }

    @Test("a tampered archive answers a problem naming the file, not a server error", .timeLimit(.minutes(3)))
    func tamperedArchiveIsNamed() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-archive-tampered")
        defer { directory.remove() }
        let data = directory.path + "/data"
        let archives = directory.path + "/archives"
        let retention = directory.path + "/retention.yaml"
        try Data("default: 1s\n".utf8).write(to: URL(fileURLWithPath: retention))
        let writer = try await ServerProcess.start(dataDirectory: data, arguments: ["--checkpoint-every", "5"])
        for index in 0..<12 {
            try await Self.publish(writer, id: "t\(index)")
        }
        #expect(await writer.terminate() == 0)
        let run = try await TocsinTesting.eventually { () -> String? in
            let run = try await runTocsin([
                "archive", "run", "--data-dir", data, "--retention", retention, "--archive-dir", archives,
            ])
            return run.output.hasPrefix("OK: records 1-") ? run.output : nil
        }
        let through = try #require(Int64(run.dropFirst("OK: records 1-".count).prefix(while: \.isNumber)))
        let path = try #require(try FileManager.default.contentsOfDirectory(atPath: archives).first)
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: archives + "/" + path)))
        bytes[16 + 20] ^= 0x40
        try Data(bytes).write(to: URL(fileURLWithPath: archives + "/" + path))

        let server = try await ServerProcess.start(dataDirectory: data, arguments: ["--archive-dir", archives])
        for url in ["/v1/events/1", "/v1/events?after=0"] {
            let answer = try await call(server.baseURL + url, headers: [server.authorization])
            #expect(answer.status == 503, "\(url): \(run)")
            #expect(answer.json?["type"]?.stringValue == "urn:tocsin:problem:archive-unavailable")
            #expect(answer.json?["archive"]?.stringValue == path)
            #expect(answer.json?["detail"]?.stringValue?.contains(path) == true)
        }
        let live = try await call(server.baseURL + "/v1/events?after=\(through)", headers: [server.authorization])
        #expect(live.status == 200)
        #expect(await server.terminate() == 0)
    }
}
