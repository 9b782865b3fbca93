// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOHTTP1
import Testing
import TocsinCore
import TocsinTesting

/// `tocsin compliance scan --server` on the real binary: findings over the live log and the
/// archives, by ingest-time range, never with the values.
struct ComplianceServerScanTests {
    static let email = "alice.archive@example.com"

    /// Twelve events, one per request; the even ones carry an email address.
    static func publishAll(_ server: ServerProcess) async throws {
        for index in 0..<12 {
            let contact = index.isMultiple(of: 2) ? email : "nobody"
            let event =
                #"{"specversion":"1.0","id":"c\#(index)","source":"/crm","type":"contact.saved","data":{"contact":"\#(contact)"}}"#
            let answer = try await call(
                server.baseURL + "/v1/events",
                method: .POST,
                headers: [server.authorization, ("content-type", "application/cloudevents+json")],
                body: Array(event.utf8)
            )
            #expect(answer.status == 202)
        }
    }

    @Test(
        "a scan of a live server covers archived and live events, by ingest time, without the values",
        .timeLimit(.minutes(3))
    )
    func scanCoversArchives() async throws {
        let directory = try TemporaryDirectory(prefix: "tocsin-compliance-server")
        defer { directory.remove() }
        let data = directory.path + "/data"
        let retention = directory.path + "/retention.yaml"
        try Data("default: 1s\n".utf8).write(to: URL(fileURLWithPath: retention))
        let writer = try await ServerProcess.start(dataDirectory: data, arguments: ["--checkpoint-every", "5"])
        try await Self.publishAll(writer)
        #expect(await writer.terminate() == 0)
        let archived = try await TocsinTesting.eventually { () -> String? in
            let run = try await runTocsin(["archive", "run", "--data-dir", data, "--retention", retention])
            return run.output.hasPrefix("OK: records 1-") ? run.output : nil
        }
        let server = try await ServerProcess.start(dataDirectory: data)
        // What the scan must find: every event of /crm, archived or live, as the API reads it.
        let listed = try await call(
            server.baseURL + "/v1/events?source=/crm&limit=100",
            headers: [server.authorization]
        )
        let events = listed.json?["events"]?.array ?? []
        #expect(events.count == 12, "\(archived)")
        let withEmail = events.filter { $0["event"]?["data"]?["contact"]?.stringValue == Self.email }
        let expected = withEmail.compactMap { $0.integer("seq") }
        #expect(expected.first == 1)

        let scan = try await runTocsin([
            "compliance", "scan", "--server", server.baseURL, "--key", server.adminKey, "--limit", "4", "--stats",
        ])
        #expect(scan.status == 0, "\(scan.errors)")
        #expect(!scan.output.contains(Self.email) && !scan.errors.contains(Self.email))
        let lines = scan.output.split(separator: "\n").compactMap { try? JSONParser().parse(Array($0.utf8)) }
        let crm = lines.filter { $0["source"]?.stringValue == "/crm" }
        #expect(crm.compactMap { $0.integer("seq") } == expected)
        let finding = JSONValue.object(
            JSONObject([
                .init(name: "category", value: .string("email")), .init(name: "path", value: .string("$.data.contact")),
            ])
        )
        #expect(crm.allSatisfy { $0["findings"] == .array([finding]) })
        #expect(scan.errors.contains("email="), "\(scan.errors)")

        // A range by ingest time: from the fifth /crm event's ingest time, before the tenth's.
        let times = events.compactMap { $0["ingesttime"]?.stringValue }
        let from = times[4]
        let to = times[9]
        let fromMilliseconds = try #require(Timestamp(rfc3339: from)).epochMilliseconds
        let toMilliseconds = try #require(Timestamp(rfc3339: to)).epochMilliseconds
        let inRange = withEmail.filter { event in
            guard let time = event["ingesttime"]?.stringValue, let instant = Timestamp(rfc3339: time) else {
                return false
            }
            return (fromMilliseconds..<toMilliseconds).contains(instant.epochMilliseconds)
        }
        let ranged = try await runTocsin([
            "compliance", "scan", "--server", server.baseURL, "--key", server.adminKey, "--from", from, "--to", to,
        ])
        #expect(ranged.status == 0, "\(ranged.errors)")
        let rangedSequences = ranged.output.split(separator: "\n")
            .compactMap { try? JSONParser().parse(Array($0.utf8)) }
            .filter { $0["source"]?.stringValue == "/crm" }
            .compactMap { $0.integer("seq") }
        #expect(rangedSequences == inRange.compactMap { $0.integer("seq") })
        #expect(!rangedSequences.isEmpty)
        #expect(await server.terminate() == 0)
    }

    @Test("--events and --server are refused together, naming both")
    func fileAndServerAreExclusive() async throws {
        let run = try await runTocsin(["compliance", "scan", "--events", "-", "--server", "http://127.0.0.1:9"])
        #expect(run.status != 0)
        #expect(run.errors.contains("--events") && run.errors.contains("--server"), "\(run.errors)")
    }
}
