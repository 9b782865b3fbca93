// SPDX-License-Identifier: Apache-2.0

import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
import TocsinCore
import TocsinServer

/// A compliance scan back end that records what the controller parsed; a page after sequence 666
/// needs an archive that cannot be used.
final class RecordingComplianceScan: ComplianceScanning {
    struct Call: Equatable {
        var after: Int64
        var from: Int64?
        var to: Int64?
        var limit: Int
    }

    let calls = Mutex<[Call]>([])

    func scanPage(after: Int64, from: Int64?, to: Int64?, limit: Int) async throws -> JSONValue {
        calls.withLock { $0.append(Call(after: after, from: from, to: to, limit: limit)) }
        if after == 666 {
            throw ArchiveUnavailable(
                archive: "archive-00000000000000000001-00000000000000000700.tocsin-archive",
                sequence: 667,
                message: "the archive file archive-…-700 is missing; restore it from a copy"
            )
        }
        return .object(
            JSONObject([
                .init(name: "scanned", value: .number(JSONNumber(Int64(0)))),
                .init(name: "bytes", value: .number(JSONNumber(Int64(0)))),
                .init(name: "events", value: .array([])),
                .init(name: "next", value: .null),
            ])
        )
    }
}

/// `GET /v1/compliance/scan`: parameters as the back end receives them, problems, and roles.
struct ComplianceScanRouteTests {
    @Test("the range, cursor and page size reach the back end; defaults when absent")
    func parameters() async throws {
        let scan = RecordingComplianceScan()
        try await TestAPI(complianceScan: scan).application.test(.router) { client in
            let plain = try await TestAPI.send(client, "/v1/compliance/scan", method: .get, role: .reader, body: nil)
            #expect(plain.status == .ok)
            #expect(plain.json?["next"] == .null)
            let ranged = try await TestAPI.send(
                client,
                "/v1/compliance/scan?after=12&limit=50&from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z",
                method: .get,
                role: .reader,
                body: nil
            )
            #expect(ranged.status == .ok)
        }
        let from = try #require(Timestamp(rfc3339: "2026-11-01T00:00:00Z")).epochMilliseconds
        let to = try #require(Timestamp(rfc3339: "2026-12-01T00:00:00Z")).epochMilliseconds
        #expect(
            scan.calls.withLock { $0 } == [
                .init(after: 0, from: nil, to: nil, limit: 1_000), .init(after: 12, from: from, to: to, limit: 50),
            ]
        )
    }

    @Test(
        "an invalid parameter is a 400 naming it",
        arguments: ["after=-1", "after=x", "limit=0", "limit=10001", "from=yesterday", "to=2026-13-01"]
    )
    func invalid(_ query: String) async throws {
        let scan = RecordingComplianceScan()
        try await TestAPI(complianceScan: scan).application.test(.router) { client in
            let answer = try await TestAPI.send(
                client,
                "/v1/compliance/scan?\(query)",
                method: .get,
                role: .reader,
                body: nil
            )
            #expect(answer.status == .badRequest)
            #expect(answer.json?["parameter"]?.stringValue == String(query.prefix { $0 != "=" }))
        }
        #expect(scan.calls.withLock { $0.isEmpty })
    }

    @Test("an archive that cannot be used is a 503 problem naming the file")
    func archiveUnavailable() async throws {
        try await TestAPI(complianceScan: RecordingComplianceScan()).application.test(.router) { client in
            let answer = try await TestAPI.send(
                client,
                "/v1/compliance/scan?after=666",
                method: .get,
                role: .reader,
                body: nil
            )
            #expect(answer.status == .serviceUnavailable)
            #expect(answer.json?["type"] == .string("urn:tocsin:problem:archive-unavailable"))
            #expect(
                answer.json?["archive"] == .string("archive-00000000000000000001-00000000000000000700.tocsin-archive")
            )
            #expect(answer.json?["seq"] == .number(JSONNumber(Int64(667))))
        }
    }

    @Test("a key without events:read is refused")
    func permission() async throws {
        try await TestAPI().application.test(.router) { client in
            let answer = try await TestAPI.send(
                client,
                "/v1/compliance/scan",
                method: .get,
                role: .publisher,
                body: nil
            )
            #expect(answer.status == .forbidden)
        }
    }
}
