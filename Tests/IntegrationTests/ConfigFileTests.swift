// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOHTTP1
import Testing
import TocsinConfig
import TocsinCore
import TocsinTesting

/// `tocsin serve --config`, `tocsin config check --config` and the example `deploy/tocsin.yaml`.
struct ConfigFileTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let example = repository + "/deploy/tocsin.yaml"

    /// The long names of every option `tocsin serve` parses, from argument-parser's own dump.
    private func serveOptions() async throws -> [String] {
        let run = try await runTocsin(["serve", "--experimental-dump-help"])
        #expect(run.status == 0)
        let dump = try JSONParser().parse(Array(run.output.utf8))
        guard case .array(let arguments)? = dump["command"]?["arguments"] else {
            throw HarnessError(description: "no command.arguments in the dump: \(run.output.prefix(200))")
        }
        return arguments.compactMap { argument -> String? in
            guard case .array(let names)? = argument["names"] else { return nil }
            return names.first { $0["kind"]?.stringValue == "long" }?["name"]?.stringValue
        }
    }

    /// `text` with the example lines (`#key: value`, `#  - item`) switched on.
    private func uncommented(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            guard line.hasPrefix("#") else { return String(line) }
            let rest = line.dropFirst()
            if let first = rest.first, first != " ", first != "#" { return String(rest) }
            return rest.hasPrefix("  ") ? String(rest) : String(line)
        }.joined(separator: "\n")
    }

    @Test("every serve option has a file key, and every file key is a serve option")
    func everyOptionHasAKey() async throws {
        let options = Set(try await serveOptions()).subtracting(["config", "help", "version"])
        let flags = Set(ServeSetting.all.map { String($0.flag.dropFirst(2)) })
        #expect(options.subtracting(flags).sorted() == [], "serve options missing from ServeSetting.all")
        #expect(flags.subtracting(options).sorted() == [], "ServeSetting.all entries serve does not parse")
        #expect(!options.isEmpty)
    }

    @Test("deploy/tocsin.yaml is valid and documents every key")
    func exampleCoversEveryKey() throws {
        let text = try String(contentsOfFile: Self.example, encoding: .utf8)
        let active = try ServeConfigFile(text: text, file: Self.example)
        #expect(active.entries.keys.sorted() == ["data_dir", "http", "rules_dir"])
        let everything = try ServeConfigFile(text: uncommented(text), file: Self.example)
        let missing = Set(ServeSetting.all.map(\.key)).subtracting(everything.entries.keys)
        #expect(missing.sorted() == [], "keys deploy/tocsin.yaml does not show")
    }

    @Test("a server starts from a config file, and a flag overrides the file")
    func serveFromFile() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-config")
        defer { directory.remove() }
        let file = directory.path + "/tocsin.yaml"
        try """
        insecure_no_auth: true
        max_body_bytes: 2048
        checkpoint_every: 5000
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: ["--config", file, "--checkpoint-every", "7000"]
        )
        func publish(_ id: String, padding: Int) async throws -> Int {
            let body =
                #"{"specversion":"1.0","id":"\#(id)","source":"/config","type":"t","data":{"p":"\#(String(repeating: "x", count: padding))"}}"#
            return try await call(
                server.baseURL + "/v1/events",
                method: .POST,
                headers: [("content-type", "application/cloudevents+json")],
                body: Array(body.utf8)
            ).status
        }
        // No key: the file turned authentication off. 3000 bytes: over the file's 2048.
        let small = try await publish("1", padding: 10)
        let large = try await publish("2", padding: 3000)
        #expect(await server.terminate() == 0)
        #expect(small == 202)
        #expect(large == 413)
    }

    @Test("serve refuses an unknown key with its location and does not start")
    func serveRefusesUnknownKey() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-config")
        defer { directory.remove() }
        let file = directory.path + "/tocsin.yaml"
        try "http: 127.0.0.1:0\nmax_streem: 3\n".write(toFile: file, atomically: true, encoding: .utf8)
        // An invalid --http too: were the file accepted, serve would still stop instead of running on.
        let run = try await runTocsin([
            "serve", "--config", file, "--data-dir", directory.path + "/data", "--http", "not-an-address",
        ])
        #expect(run.status == 64)
        #expect(run.errors.contains("\(file):2:1: $.max_streem: unknown key 'max_streem'; did you mean 'max_streams'?"))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/data"))
    }

    @Test("config check reports the file's and the rules directory's problems together")
    func checkBoth() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-config")
        defer { directory.remove() }
        let file = directory.path + "/tocsin.yaml"
        let rules = directory.path + "/rules"
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        try "max_connections: 0\nrules_dir: \(rules)\nbogus: 1\n".write(toFile: file, atomically: true, encoding: .utf8)
        try "rules:\n  r:\n    patern: {type: [x]}\n    targets: []\n".write(
            toFile: rules + "/r.yaml",
            atomically: true,
            encoding: .utf8
        )
        let bad = try await runTocsin(["config", "check", "--config", file])
        #expect(bad.status == 1)
        #expect(bad.output.contains("\(file):3:1: $.bogus: unknown key"))
        #expect(bad.output.contains("r.yaml:3:5: $.rules.r.patern"), "\(bad.output)")
        // With the unknown key gone, the value check runs: max_connections 0 is out of range.
        try "max_connections: 0\nrules_dir: \(rules)\n".write(toFile: file, atomically: true, encoding: .utf8)
        let range = try await runTocsin(["config", "check", "--config", file])
        #expect(range.status == 1)
        #expect(range.output.contains("\(file): --max-connections must be from 1 to 100000"))
        let empty = directory.path + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let example = try await runTocsin(["config", "check", "--config", Self.example, "--rules-dir", empty])
        #expect(example.status == 0, "\(example.output)\(example.errors)")
    }
}
