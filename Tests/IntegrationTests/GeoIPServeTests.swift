// SPDX-License-Identifier: Apache-2.0

import Foundation
import NIOHTTP1
import Testing
import TocsinCore
import TocsinTesting

/// `tocsin serve --geoip-db`: native records are enriched before they are appended, rules match on
/// what was added, and a file that is not a MaxMind DB stops the server with its path.
struct GeoIPServeTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../TocsinSourcesTests/Fixtures/geoip").standardized.path

    static func login(ip: String, id: String) -> String {
        #"{"eventTime":"2026-01-01T00:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","sourceIPAddress":"\#(ip)","additionalEventData":{"MFAUsed":"No"},"responseElements":{"ConsoleLogin":"Success"},"eventID":"\#(id)"}"#
    }

    @Test(.timeLimit(.minutes(2))) func enrichedViewsAreStoredChainedAndRoutable() async throws {
        let receiver = try await TestReceiver.start()
        defer { receiver.stop() }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await ServerProcess.start(
            dataDirectory: directory.path + "/data",
            arguments: [
                "--geoip-db", Self.fixtures + "/city-test.mmdb", "--geoip-db", Self.fixtures + "/asn-test.mmdb",
            ]
        )
        try await server.define("target", "soc", #"{"kind":"webhook","url":"\#(receiver.url)"}"#)
        try await server.define(
            "rule",
            "login-from-australia",
            #"{"pattern":{"ocsf":{"class_uid":[3002],"src_endpoint":{"location":{"country":["AU"]}}}},"targets":[{"target":"soc"}]}"#
        )
        let body = [Self.login(ip: "203.0.113.9", id: "au"), Self.login(ip: "198.51.100.200", id: "de")]
        let answer = try await call(
            server.baseURL + "/v1/sources/cloudtrail",
            method: .POST,
            headers: [server.authorization],
            body: Array(body.joined(separator: "\n").utf8)
        )
        #expect(answer.status == 202 && answer.json?.integer("accepted") == 2)
        let first = try #require(answer.json?.integer("first_seq"))
        let stored = try await call(server.baseURL + "/v1/events/\(first)", headers: [server.authorization])
        let source = stored.json?["ocsf"]?["src_endpoint"]
        #expect(source?["location"]?["city"]?.stringValue == "Sydney")
        #expect(source?["autonomous_system"]?["name"]?.stringValue == "Example Transit")
        #expect(await receiver.waitFor { $0.received.count >= 1 })
        // The router records routes in log order: once a later AU login has its delivery, the
        // login before it has been routed, and it has none.
        let marker = try await call(
            server.baseURL + "/v1/sources/cloudtrail",
            method: .POST,
            headers: [server.authorization],
            body: Array(Self.login(ip: "203.0.113.10", id: "au-2").utf8)
        )
        let markerSequence = try #require(marker.json?.integer("first_seq"))
        let markerDeliveries = try await server.eventually({ try await server.deliveries(event: markerSequence) }) {
            !$0.isEmpty
        }
        #expect(markerDeliveries.count == 1)
        #expect(try await server.deliveries(event: first).count == 1)
        #expect(try await server.deliveries(event: first + 1).isEmpty, "only the login located in AU matches")
        #expect(await server.terminate() == 0)
        let verify = try await runTocsin(["audit", "verify", "--data-dir", server.dataDirectory])
        #expect(verify.status == 0, "enriched views are part of the chain: \(verify.output)")
    }

    @Test(.timeLimit(.minutes(3))) func unusableDatabasesStopTheServerNamingTheFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let garbage = directory.path + "/GeoLite2-City.mmdb"
        try Data(repeating: 0x5A, count: 2048).write(to: URL(fileURLWithPath: garbage))
        for (path, reason) in [(garbage, "metadata marker"), (directory.path + "/missing.mmdb", "cannot be read")] {
            let run = try await runTocsin([
                "serve", "--data-dir", directory.path + "/data", "--http", "127.0.0.1:0", "--geoip-db", path,
            ])
            #expect(run.status != 0)
            #expect(run.errors.contains(path) && run.errors.contains(reason), "\(run.errors)")
        }
    }
}
