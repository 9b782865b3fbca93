// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import TocsinTesting

/// What a new user sees: help that reads as sentences, and failures that say plainly what is wrong
/// and what to do next.
struct CLIMessageTests {
    @Test("the overview of --help wraps between sentences' words only where the terminal does")
    func helpOverview() async throws {
        let result = try await runTocsin(["--help"], environment: ["COLUMNS": "200"])
        #expect(result.status == 0)
        #expect(result.output.contains("Client commands (publish, events, tail and the others) talk to it over HTTP."))
        #expect(!result.output.contains("talk to it over\n"))
    }

    @Test("with no server, a client command says nothing listens there and how to start or find one")
    func noServer() async throws {
        let result = try await runTocsin(["events", "--server", "http://127.0.0.1:1"])
        #expect(result.status == 1)
        #expect(
            result.errors
                == "nothing is listening at http://127.0.0.1:1: start it with 'tocsin serve', or point to a running one with --server URL or TOCSIN_SERVER.\n"
        )
        let tail = try await runTocsin(["tail", "--server", "http://127.0.0.1:1"])
        #expect(tail.status == 1)
        #expect(tail.errors.hasPrefix("nothing is listening at http://127.0.0.1:1: "))
    }

    @Test("audit verify of a directory with no log says so, not that the key is missing")
    func auditWrongDirectory() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-cli")
        defer { directory.remove() }
        let result = try await runTocsin(["audit", "verify", "--data-dir", directory.path + "/none"])
        #expect(result.status == 2)
        #expect(result.errors.contains("there is no Tocsin log in \(directory.path)/none (no tocsin.db)"))
        #expect(!result.errors.contains("--public-key"))
    }

    @Test("ingest of a missing file gives the reason and the next step")
    func ingestMissingFile() async throws {
        let result = try await runTocsin(["ingest", "--format", "cloudtrail", "nonexist.json"])
        #expect(result.status != 0)
        #expect(result.errors.contains("cannot open nonexist.json: no such file; check the path"))
    }

    #if !OTel
    @Test("--otlp-endpoint in a build without the OTel trait names the build command")
    func otlpWithoutTrait() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-cli")
        defer { directory.remove() }
        let result = try await runTocsin([
            "serve", "--data-dir", directory.path, "--otlp-endpoint", "http://127.0.0.1:4318/v1/traces",
        ])
        #expect(result.status != 0)
        #expect(result.errors.contains("swift build -c release --traits OTel"))
    }
    #endif

    @Test("against a server: events has a header, an empty DLQ says so, audit warns of no checkpoint")
    func emptyStates() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-cli")
        defer { directory.remove() }
        let data = directory.path + "/data"
        let server = try await ServerProcess.start(dataDirectory: data)
        let client = ["--server", server.baseURL, "--key", server.adminKey]

        let none = try await runTocsin(["events"] + client)
        #expect(none.status == 0)
        #expect(none.output.isEmpty)
        #expect(none.errors.hasPrefix("no events match"))

        let published = try await runTocsin(
            ["publish", "--type", "test.login.failed", "--source", "/cli-test", "--id", "e1"] + client
        )
        #expect(published.status == 0, "\(published.errors)")
        let events = try await runTocsin(["events"] + client)
        let lines = events.output.split(separator: "\n")
        #expect(lines.first == "SEQ  TIME  TYPE  SOURCE  ID  SUBJECT")
        #expect(lines.dropFirst().contains { $0.contains("test.login.failed") })

        let letters = try await runTocsin(["dlq", "list"] + client)
        #expect(letters.status == 0)
        #expect(letters.output.isEmpty)
        #expect(letters.errors.hasPrefix("no dead letters"))

        let audit = try await runTocsin(["audit", "verify", "--data-dir", data])
        #expect(audit.status == 0)
        #expect(audit.errors.contains("warning: no signed checkpoint yet"))
        #expect(await server.terminate() == 0)
    }

    @Test("tail says it is waiting before the first event arrives")
    func tailWaits() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-cli")
        defer { directory.remove() }
        let server = try await ServerProcess.start(dataDirectory: directory.path + "/data")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServerProcess.binary)
        process.arguments = ["tail", "--server", server.baseURL, "--key", server.adminKey]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = Pipe()
        try ProcessLaunch.run(process)
        let firstLine = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var bytes: [UInt8] = []
                while let byte = try? errors.fileHandleForReading.read(upToCount: 1)?.first, byte != 0x0A {
                    bytes.append(byte)
                }
                continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
            }
        }
        process.terminate()
        #expect(await process.exit(within: .seconds(60)) != nil)
        #expect(firstLine == "Waiting for new events from \(server.baseURL) (Ctrl-C to stop).")
        #expect(await server.terminate() == 0)
    }
}
