// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOHTTP1
import Testing
import TocsinCore
import TocsinTesting

/// `tocsin serve --threat-intel --identity-directory`: events are enriched before the append, rules
/// route on the enrichment, edited files are applied (a broken edit is not), and the chain verifies.
struct EnrichmentServeTests {
    /// Writes `text` to `path` the way feed updaters do: a temporary file renamed over it.
    static func replace(_ path: String, with text: String) throws {
        let temporary = path + ".new"
        try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else {
            throw HarnessError(description: "cannot rename \(temporary) to \(path)")
        }
    }

    /// Publishes one event with `data` and `subject`; returns its sequence number.
    static func publish(
        _ server: ServerProcess,
        id: String,
        data: String,
        subject: String = "nobody"
    ) async throws
        -> Int64
    {
        let event =
            #"{"specversion":"1.0","id":"\#(id)","source":"/vpn","type":"vpn.login","subject":"\#(subject)","data":\#(data)}"#
        let answer = try await call(
            server.baseURL + "/v1/events",
            method: .POST,
            headers: [server.authorization, ("content-type", "application/cloudevents+json")],
            body: Array(event.utf8)
        )
        return try #require(answer.json?.integer("seq"), "publish answered \(answer.status)")
    }

    /// The stored event's `enrichment`.
    static func enrichment(_ server: ServerProcess, _ sequence: Int64) async throws -> JSONValue? {
        try await call(server.baseURL + "/v1/events/\(sequence)", headers: [server.authorization]).json?["enrichment"]
    }

    @Test(.timeLimit(.minutes(3))) func enrichesRoutesAndReloads() async throws {
        let receiver = try await TestReceiver.start()
        defer { receiver.stop() }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let list = directory.path + "/tor-exit.txt"
        try Self.replace(list, with: "# exits\n203.0.113.9\n")
        let people = directory.path + "/people.csv"
        try Self.replace(people, with: "user,email,team,manager,risk\nalice,alice@example.org,Platform,jane,high\n")
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: ["--threat-intel", list, "--identity-directory", people]
        )
        try await server.define("target", "soc", #"{"kind":"webhook","url":"\#(receiver.url)"}"#)
        try await server.define(
            "rule",
            "from-tor",
            #"{"pattern":{"enrichment":{"threat_intel":{"list":["tor-exit"]}}},"targets":[{"target":"soc"}]}"#
        )

        let listed = try await Self.publish(server, id: "a", data: #"{"ip":"203.0.113.9"}"#, subject: "ALICE")
        let other = try await Self.publish(server, id: "b", data: #"{"ip":"198.51.100.7"}"#)
        let enrichment = try #require(try await Self.enrichment(server, listed))
        #expect(
            JSONWriter().string(enrichment)
                == #"{"threat_intel":[{"list":"tor-exit","indicator":"203.0.113.9","type":"ip","value":"203.0.113.9"}],"#
                + #""identity":{"user":"alice","team":"Platform","manager":"jane","risk":"high"}}"#
        )
        #expect(try await Self.enrichment(server, other) == nil, "nothing found: no enrichment")
        #expect(await receiver.waitFor { $0.received.count >= 1 })
        let delivered = try JSONParser().parse(try #require(receiver.received.first).body)
        #expect(delivered["id"]?.stringValue == "a")

        // An edit is applied to the next events; the load is recorded in the log.
        try Self.replace(list, with: "203.0.113.9\n198.51.100.0/24\n")
        let loads = try await server.eventually({ try await server.events(type: "tocsin.enrichment.loaded") }) {
            $0.count >= 3
        }
        #expect(loads.count == 3, "the list and the directory at start, then the edited list")
        let after = try await Self.publish(server, id: "c", data: #"{"peer":"198.51.100.7"}"#)
        #expect(try await Self.enrichment(server, after)?["threat_intel"]?.first?["type"]?.stringValue == "cidr")

        // A broken edit is refused and located; the previous version stays in force.
        try Self.replace(list, with: "203.0.113.9\nnot an indicator\n")
        let rejected = try await server.eventually({ try await server.events(type: "tocsin.enrichment.rejected") }) {
            !$0.isEmpty
        }
        let problems = rejected.first?["event"]?["data"]?["problems"]?.first?.stringValue ?? ""
        #expect(problems.hasPrefix(list + ":2: "), "\(problems)")
        let kept = try await Self.publish(server, id: "d", data: #"{"peer":"198.51.100.8"}"#)
        #expect(
            try await Self.enrichment(server, kept)?["threat_intel"]?.first?["indicator"]?.stringValue
                == "198.51.100.0/24"
        )

        #expect(await receiver.waitFor { $0.received.count >= 3 }, "a, c and d come from listed addresses")
        #expect(await server.terminate() == 0)
        let verify = try await runTocsin(["audit", "verify", "--data-dir", server.dataDirectory])
        #expect(verify.status == 0, "enrichments are part of the chain: \(verify.output) \(verify.errors)")
    }

    @Test(.timeLimit(.minutes(3))) func unusableFilesStopTheServerWithTheirLocation() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let list = directory.path + "/bad.txt"
        try Self.replace(list, with: "203.0.113.9\nnot an indicator\n")
        let people = directory.path + "/people.csv"
        try Self.replace(people, with: "name,team\n")
        for (arguments, location) in [
            (["--threat-intel", list], list + ":2: "), (["--identity-directory", people], people + ":1: "),
            (["--threat-intel", directory.path + "/missing.txt"], directory.path + "/missing.txt: cannot be read"),
        ] {
            let run = try await runTocsin(
                ["serve", "--data-dir", directory.path + "/data", "--http", "127.0.0.1:0"] + arguments
            )
            #expect(run.status != 0)
            #expect(run.errors.contains(location), "\(run.errors)")
        }
    }
}

extension JSONValue {
    /// The first element when this is a non-empty array, else `nil`.
    fileprivate var first: JSONValue? {
        if case .array(let elements) = self {
            return elements.first
        }
        return nil
    }
}
